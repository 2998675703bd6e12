/* chart — what a chart block carries from binding to charts/: its kind, its
 * data as numbers, labels and dates, and its look with colours and text
 * styles already resolved. Plain data: template/ fills it from the content by
 * XPath, charts/ turns it into geometry and text items, and neither knows the
 * other. Everything is arena-allocated with the bound document. */
#ifndef RP_BOUND_CHART_H
#define RP_BOUND_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "base/types.h"
#include "font/font.h"

typedef enum rp_chart_kind {
  RP_CHART_BAR,      /* vertical bars: one per category, grouped or stacked per series */
  RP_CHART_HBAR,     /* the same, horizontal (long category names) */
  RP_CHART_LINE,     /* one line per series over the categories, with markers */
  RP_CHART_PIE,      /* segments of the first series, labelled */
  RP_CHART_DONUT,    /* a pie with a hole holding a centre figure */
  RP_CHART_FLOW,     /* figure flow: headline figures joined by arrows */
  RP_CHART_TIMELINE, /* dated items on a month axis, ranges as bars */
  RP_CHART_DELTA,    /* one signed change with a direction mark */
  RP_CHART_MAP,      /* the membership map: outline, markers by kind, labels */
} rp_chart_kind;

/* The text style of one role of chart text: a face of the layout's fontset. */
typedef struct rp_chart_text {
  int font;    /* fontset index */
  double size; /* pt */
  rp_color color;
  int fallback[RP_FONT_MAX_FALLBACK]; /* faces for characters `font` lacks, in order */
  int n_fallback;
} rp_chart_text;

/* One series of values over the chart's categories. */
typedef struct rp_chart_series {
  const char *name; /* legend text, or NULL for a lone series */
  rp_color color;   /* a == 0: the palette's next colour */
  double *values;   /* n_categories values; NaN = no value */
} rp_chart_series;

/* A legend entry: a kind of member on the map, a segment's colour… */
typedef struct rp_chart_key {
  const char *id;    /* kind id (map points name it) */
  const char *label; /* printed */
  rp_color color;    /* a == 0: from the palette */
} rp_chart_key;

/* A dated item of a timeline: one day when the end is absent. */
typedef struct rp_chart_event {
  const char *label;
  int start[3], end[3]; /* year, month, day; end[0] == 0 for one day */
} rp_chart_event;

/* A place on the map. */
typedef struct rp_map_point {
  const char *name; /* the label */
  const char *kind; /* a key's id, or NULL */
  double lat, lon;  /* WGS84 degrees */
} rp_map_point;

typedef struct rp_chart {
  rp_chart_kind kind;
  const char *title; /* printed above the chart, or NULL */
  const char *alt;   /* alternative text (tagged PDF) */

  /* bar, hbar, line, pie, donut, flow: categories and series. For a flow the
   * categories are the figures' labels and `displays` their values as
   * printed ("£9.5bn"); for bars and segments `displays` (optional) replaces
   * the formatted value labels. */
  const char **categories;
  size_t n_categories;
  const char **displays; /* n_categories strings, or NULL */
  rp_chart_series *series;
  size_t n_series;
  bool stacked;       /* bar, hbar: stack the series instead of grouping them */
  const char *unit;   /* printed after axis and value labels ("MW"), or NULL */
  const char *number; /* format-number picture for values ("#,##0"), or NULL: 7.4m style */
  const char *centre; /* donut: the figure in the hole ("43"), or NULL */
  const char *centre_label;

  /* delta: the change, as a number (its sign gives the direction) and as printed */
  double delta;
  const char *delta_display;  /* "−3.2 %" */
  const char *delta_compared; /* "on 2023–24", or NULL */
  int better;                 /* +1: up is good, -1: down is good, 0: neutral */

  /* timeline */
  rp_chart_event *events;
  size_t n_events;

  /* map: points, the outline file (resolved path), an optional inset box */
  rp_map_point *points;
  size_t n_points;
  const char *outline_path;
  bool has_inset;
  double inset_lat[2], inset_lon[2]; /* south/north, west/east */

  /* legend: map kinds, pie/donut segments' names come from categories */
  rp_chart_key *keys;
  size_t n_keys;

  /* look */
  rp_color *palette; /* series and kind colours, in order */
  size_t n_palette;
  rp_chart_text label; /* axis, segment and marker labels */
  rp_chart_text value; /* values, the flow's figures, the donut's centre */
  rp_chart_text heading;
  rp_color axis, grid; /* a == 0: none */
  rp_color background; /* what the chart is drawn on (for label contrast) */
} rp_chart;

#endif
