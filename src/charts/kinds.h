/* kinds — internal to charts/: the drawing function of each chart kind
 * (charts.c's table names them). */
#ifndef RP_CHARTS_KINDS_H
#define RP_CHARTS_KINDS_H

#include "charts/draw.h"

rp_status rp_chart_draw_bar(rp_chart_out *o, const rp_chart *c);  /* bar, hbar */
rp_status rp_chart_draw_line(rp_chart_out *o, const rp_chart *c); /* line */
rp_status rp_chart_draw_pie(rp_chart_out *o, const rp_chart *c);  /* pie, donut */
rp_status rp_chart_draw_flow(rp_chart_out *o, const rp_chart *c);
rp_status rp_chart_draw_timeline(rp_chart_out *o, const rp_chart *c);
rp_status rp_chart_draw_delta(rp_chart_out *o, const rp_chart *c);

#endif
