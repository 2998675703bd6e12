#!/usr/bin/python3
"""Writes the fast twin of a built-in schema (needs lxml):

    tests/schema/make_fast.py layouts/schema/layout.rng layouts/schema/layout-fast.rng
    tests/schema/make_fast.py data/schema/review.rng data/schema/review-fast.rng

The twin accepts the same language: each run of attribute patterns with two or
more optional ones is wrapped in <interleave> (attributes have no order in
RelaxNG, so a group of them and an interleave of them are the same pattern).
libxml2 validates a group of optional attributes by keeping a state for each
combination of those present, and validates the element's content once per
state; an interleave keeps one. Then, in each interleave of attributes, the
optional ones whose values follow the same pattern (any text, a boolean, a
name ...) become one
<zeroOrMore><attribute><choice><name>a</name>...</choice>pattern</attribute></zeroOrMore>
(any of those names, each at most once as XML allows, each with a value the
pattern accepts: the same set of attributes), which libxml2 checks in one
pass over the element's attributes instead of a copy of its state per name.
A zeroOrMore of a choice of text and elements becomes <mixed> (see below). reviewpdf checks a document against the twin
first and against the schema itself only when the twin refuses it, for the
messages (src/base/xml.c). test_schema checks both give the same verdicts.
"""
import copy
import sys
from lxml import etree
RNG='http://relaxng.org/ns/structure/1.0'
NS='{%s}'%RNG
def tag(e): return e.tag.replace(NS,'') if isinstance(e.tag,str) else None
def run(path, out):
    parser=etree.XMLParser(remove_blank_text=False)
    doc=etree.parse(path,parser); root=doc.getroot()
    defs={}
    for d in root.iter(NS+'define'): defs.setdefault(d.get('name'),[]).append(d)
    pristine={}
    for d in copy.deepcopy(root).iter(NS+'define'): pristine.setdefault(d.get('name'),[]).append(d)
    memo={}
    def attr_only(e, depth=0):
        t=tag(e)
        if t is None: return True  # comment
        if t=='attribute': return True
        if t in('optional','group','interleave'):
            kids=[c for c in e if tag(c)]
            return bool(kids) and all(attr_only(c,depth) for c in kids)
        if t=='ref':
            n=e.get('name')
            if n in memo: return memo[n]
            if depth>20 or n not in defs: return False
            memo[n]=False
            ok=all(bool([c for c in d if tag(c)]) and all(attr_only(c,depth+1) for c in d if tag(c)) for d in defs[n])
            memo[n]=ok
            return ok
        return False
    # The attribute patterns of an attribute-only pattern, each with whether
    # it is optional: False when it is not a plain set of attributes each
    # required or optional on its own (a choice, an optional group).
    def flatten(e, out, opt=False, depth=0):
        t=tag(e)
        if t is None: return True
        if t=='attribute':
            if not e.get('name') or ':' in e.get('name'): return False
            out.append((e,opt)); return True
        if t=='optional':
            kids=[c for c in e if tag(c)]
            return not opt and len(kids)==1 and tag(kids[0])=='attribute' and flatten(kids[0],out,True,depth)
        if t in ('interleave','group'):
            return all(flatten(c,out,opt,depth) for c in e)
        if t=='ref':  # kept as it is (its define is flattened on its own)
            if opt: return False
            out.append((e,None)); return True
        return False
    # What an attribute's value may be, as text: attributes with the same
    # key take the same values.
    def value_key(a):
        parts=[]
        for c in a:
            if not tag(c): continue
            c=copy.deepcopy(c)
            for d in c.iter():
                d.tail=None
                if isinstance(d.tag,str) and d.text and not d.text.strip(): d.text=None
            parts.append(etree.tostring(c).decode())
        return ''.join(parts)
    def optionalish(e):
        t=tag(e)
        return t in ('optional','ref')
    count=0
    for cont in list(root.iter(NS+'element',NS+'define')):
        kids=list(cont)
        i=0
        while i<len(kids):
            if tag(kids[i]) and attr_only(kids[i]) and tag(kids[i])!='attribute' or (tag(kids[i])=='attribute'):
                j=i
                while j<len(kids) and (tag(kids[j]) is None or attr_only(kids[j])): j+=1
                # trim trailing comments
                while j>i and tag(kids[j-1]) is None: j-=1
                seg=kids[i:j]
                n_opt=sum(1 for c in seg if tag(c) and optionalish(c))
                if n_opt>=2 and not (len([c for c in seg if tag(c)])==1):
                    # indentation of the first child
                    prev=kids[i-1] if i>0 else None
                    ind=(prev.tail if prev is not None else cont.text) or ''
                    ind=ind[ind.rfind('\n'):] if '\n' in ind else ind
                    il=etree.Element(NS+'interleave', nsmap=None)
                    cont.insert(cont.index(seg[0]), il)
                    inline='\n' not in ind
                    il.text='' if inline else ind+'  '
                    last_tail=seg[-1].tail
                    for k,c in enumerate(seg):
                        il.append(c)
                        for dsc in c.iterdescendants():
                            if dsc.text and not isinstance(dsc.tag,str): pass
                            elif dsc.text: dsc.text=dsc.text.replace('\n','\n  ')
                            if dsc.tail: dsc.tail=dsc.tail.replace('\n','\n  ')
                        if c.text and isinstance(c.tag,str): c.text=c.text.replace('\n','\n  ')
                        if k<len(seg)-1:
                            c.tail=(c.tail or '').replace('\n','\n  ')
                        else:
                            c.tail='' if inline else ind
                    il.tail=last_tail
                    count+=1
                    print('wrapped in',cont.get('name'),[ (tag(c), c.get('name')) for c in seg if tag(c)], file=sys.stderr)
                i=j if j>i else i+1
            else:
                i+=1
    flat=0
    for il in list(root.iter(NS+'interleave')):
        kids=[c for c in il if tag(c)]
        if not kids or not all(attr_only(c) for c in kids): continue
        got=[]
        if not all(flatten(c, got) for c in kids): continue
        names=[a.get('name') for a,o in got if o is not None]
        if len(set(names))!=len(names): continue
        # optional attributes by what their value may be
        kinds={}
        for a,o in got:
            if o and tag(a)=='attribute': kinds.setdefault(value_key(a),[]).append(a)
        merged={k:v for k,v in kinds.items() if len(v)>=2}
        if not merged: continue
        in_merged={id(a) for v in merged.values() for a in v}
        ind=il.text if il.text and '\n' in il.text else ''
        end=kids[-1].tail if ind else ''
        for c in list(il):
            il.remove(c)
        il.text=ind
        items=[]
        for a,o in got:
            if id(a) in in_merged: continue
            a=copy.deepcopy(a); a.tail=None
            if o:
                w=etree.Element(NS+'optional'); w.append(a); items.append(w)
            else:
                items.append(a)
        for k,v in merged.items():
            z=etree.Element(NS+'zeroOrMore')
            at=etree.SubElement(z,NS+'attribute')
            ch=etree.SubElement(at,NS+'choice')
            for a in v:
                n=etree.SubElement(ch,NS+'name'); n.text=a.get('name')
            for c in v[0]:
                if tag(c): at.append(copy.deepcopy(c))
            for c in at: c.tail=None
            items.append(z)
        for k,it in enumerate(items):
            it.tail=ind if k<len(items)-1 else end
            il.append(it)
        flat+=1
    print(path,flat,'flattened',file=sys.stderr)
    # Text among elements: <zeroOrMore><choice><text/>E...</choice></zeroOrMore>
    # becomes <mixed><zeroOrMore><choice>E...</choice></zeroOrMore></mixed> (the
    # same language: any sequence of text and E). libxml2 compiles the first
    # into an automaton for each element whose content it is, and checks each
    # for determinism (the review's schema: a third of compiling it); the
    # second it validates as an interleave, a little slower per element.
    mixed=0
    for z in list(root.iter(NS+'zeroOrMore')):
        kids=[c for c in z if tag(c)]
        if len(kids)!=1 or tag(kids[0])!='choice': continue
        ch=kids[0]
        texts=[c for c in ch if tag(c)=='text']
        others=[c for c in ch if tag(c) and tag(c)!='text']
        if len(texts)!=1 or not others: continue
        t=texts[0]
        prev=t.getprevious()
        if prev is not None: prev.tail=t.tail
        else: ch.text=t.tail
        ch.remove(t)
        before=z.getprevious().tail if z.getprevious() is not None else z.getparent().text
        m=etree.Element(NS+'mixed')
        z.addprevious(m)
        m.tail=z.tail
        ind=before[before.rfind('\n'):] if before and '\n' in before else ''
        m.text=ind+'  ' if ind else ''
        z.tail=ind
        for d in z.iter():
            if d is not z and d.tail: d.tail=d.tail.replace('\n','\n  ')
            if d.text and isinstance(d.tag,str): d.text=d.text.replace('\n','\n  ')
        m.append(z)
        mixed+=1
    print(path,mixed,'made mixed',file=sys.stderr)
    s=etree.tostring(doc, xml_declaration=True, encoding='UTF-8').decode()
    s=s.replace("<?xml version='1.0' encoding='UTF-8'?>",'<?xml version="1.0" encoding="UTF-8"?>')
    if not s.endswith('\n'): s+='\n'
    s=s.replace('--><grammar xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">','-->\n<grammar xmlns="http://relaxng.org/ns/structure/1.0"\n         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">')
    orig=open(path).read()
    k=orig.index('<grammar'); k2=orig.index('>',k)+1
    m=s.index('<grammar'); m2=s.index('>',m)+1
    s=orig[:k2]+s[m2:]
    name=path.split('/')[-1]
    h=0xcbf29ce484222325
    for b in open(path,'rb').read():
        h=((h^b)*0x100000001b3)&0xffffffffffffffff
    note=('<!-- GENERATED from %s by tests/schema/make_fast.py: do not edit. The same\n'
          '     language as %s, in a form libxml2 validates faster (the script says\n'
          '     how); reviewpdf validates against it first. Made from fnv1a64:%016x. -->\n'
          % (name, name, h))
    d=s.index('?>')+2
    s=s[:d]+'\n'+note+s[d+1:]
    open(out,'w').write(s)
    print(out,count,'wrapped',file=sys.stderr)
run(sys.argv[1], sys.argv[2])
