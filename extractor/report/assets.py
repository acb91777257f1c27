"""The site's inline CSS and JS (nothing is fetched: the report opens from disk, offline).

Why so little JS: a 100k-character report carries thousands of figures; the page is built
once, server side, with every highlight already in the HTML.  At load the script only attaches
three delegated listeners; the panel is filled from the figure's table row on demand.
"""

from __future__ import annotations

#: Highlight colour per kind (README "Schema" lists the kinds); anything else is "other".
KIND_COLOURS = {
    "level": "#cfe3ff",
    "change": "#ffe2b8",
    "growth": "#c9f0c9",
    "share": "#f3d1f5",
    "rate": "#d9d4ff",
    "rank": "#ffd0d0",
    "progress": "#d5f2ee",
    "target": "#fff3a6",
    "other": "#e4e4e4",
}

CSS = """
body{font:15px/1.6 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header,section{padding:.6em 1.2em}
header{border-bottom:1px solid #ddd;background:#fafafa}
h1{font-size:1.3em;margin:.2em 0}
h2{font-size:1.1em}
.meta{color:#555;font-size:.9em}
.legend span{display:inline-block;padding:0 .5em;margin:.1em .2em;border-radius:3px;font-size:.85em}
main.doc{display:flex;gap:1em;padding:0 1.2em}
div.text{white-space:pre-wrap;word-break:break-all;flex:1;min-width:0;margin:1em 0}
div.text .t{content-visibility:auto;contain-intrinsic-size:auto 1500px}
a.fig{color:inherit;text-decoration:none;border-radius:2px;padding:0 1px}
a.fig:hover,a.fig.sel,a.fig:target{outline:2px solid #333}
a.fig.bad{box-shadow:inset 0 -3px 0 #d00}
aside.panel{position:sticky;top:.5em;align-self:flex-start;width:22em;max-height:95vh;overflow:auto;
 border:1px solid #bbb;background:#fff;padding:.5em .8em;margin:1em 0;font-size:.9em}
aside.panel dl{display:grid;grid-template-columns:auto 1fr;gap:.1em .6em;margin:.3em 0}
aside.panel dt{color:#666}
aside.panel dd{margin:0;overflow-wrap:anywhere}
aside.panel dd.bad{color:#b00}
table{border-collapse:collapse;font-size:.85em}
th,td{border:1px solid #ddd;padding:.15em .4em;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;user-select:none;position:sticky;top:0}
th[data-dir=asc]::after{content:" ▲"}
th[data-dir=desc]::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:target{outline:2px solid #333;background:#ffffe0}
td.bad,span.bad{color:#b00}
section.figures{content-visibility:auto;contain-intrinsic-size:auto 2000px}
.charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
.charts figure{margin:0}
.charts figcaption{font-size:.85em;color:#555}
.small svg{width:240px;height:auto}
"""

JS = """
(function(){
'use strict';
var panel=document.getElementById('panel');
var head=document.querySelector('#figs thead tr');
var keys=head?[].map.call(head.cells,function(th){return th.getAttribute('data-k');}):[];
function show(i){
  var tr=document.getElementById('r'+i);
  if(!tr||!panel)return;
  panel.hidden=false;
  [].forEach.call(panel.querySelectorAll('dd[data-k]'),function(dd){
    var c=tr.cells[keys.indexOf(dd.getAttribute('data-k'))];
    dd.textContent=c?c.textContent:'';
  });
  var a=panel.querySelector('a.row');
  a.href='#r'+i; a.textContent='row '+i+' in the table';
  var old=document.querySelector('a.fig.sel'); if(old)old.classList.remove('sel');
  var f=document.getElementById('f'+i); if(f)f.classList.add('sel');
}
var text=document.getElementById('text');
function onFig(e){var t=e.target.closest&&e.target.closest('a.fig');if(t)show(t.getAttribute('data-i'));}
if(text){['mouseover','focusin','click'].forEach(function(ev){text.addEventListener(ev,onFig);});}
function fromHash(){var m=/^#[fr](\\d+)$/.exec(location.hash);if(m)show(m[1]);}
window.addEventListener('hashchange',fromHash);fromHash();
function key(td){
  var v=td.hasAttribute('data-v')?td.getAttribute('data-v'):td.textContent;
  var n=Number(v);return (v!==''&&!isNaN(n))?n:v;
}
function sortBy(th){
  var table=th.closest('table'),tb=table.tBodies[0],col=th.cellIndex;
  var asc=th.getAttribute('data-dir')!=='asc';
  [].forEach.call(th.parentNode.cells,function(h){h.removeAttribute('data-dir');});
  th.setAttribute('data-dir',asc?'asc':'desc');
  var rows=[].slice.call(tb.rows).map(function(r){return [key(r.cells[col]),r];});
  rows.sort(function(a,b){var x=a[0],y=b[0];
    if(typeof x!==typeof y){x=typeof x;y=typeof y;}
    return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  var frag=document.createDocumentFragment();
  rows.forEach(function(p){frag.appendChild(p[1]);});tb.appendChild(frag);
}
document.addEventListener('click',function(e){
  var th=e.target.closest&&e.target.closest('table.sortable thead th');if(th)sortBy(th);
});
})();
"""


def kind_css() -> str:
    """One background rule per kind: the colour legend and the highlights share it."""
    return "".join(f".k-{k}{{background:{c}}}" for k, c in KIND_COLOURS.items())
