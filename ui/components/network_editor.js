// The network editor: neurons (circles) in columns, one per layer, joined by links whose width follows
// |weight| (blue positive, vermillion negative), drawn as SVG from `data` (ui/components/network_editor.py
// lays it out). A click or a tap on a link picks its weight, on a neuron its bias; a field under the
// drawing then takes the new value, and Set sends it to Python as the trigger "edit" (Python checks it).
//
// Everything is built with createElementNS and textContent: no string from Python or from the learner is
// ever parsed as markup. Streamlit runs this function again on the same DOM whenever `data` changes, so
// handlers are assigned (svg.onpointerdown = ...), never stacked, and the picked item lives on the svg.

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = "#0072B2"; // blue, as the Altair charts (ui/charts.py)
const NEGATIVE = "#D55E00"; // vermillion
const NEURON = "#E69F00";
const LEFT = 64; // room for the input names
const COLUMN = 150; // between two layers
const THIN = 0.3; // a link's width for |w| = 0 ... THICK for the widest (the Altair chart's range)
const THICK = 7;

function make(tag, attributes, parent) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (parent) parent.appendChild(element);
  return element;
}

function text(parent, x, y, words, anchor, extra = {}) {
  const element = make("text", { x, y, "text-anchor": anchor, ...extra }, parent);
  element.textContent = words;
  return element;
}

const short = (value) => Number(value).toPrecision(2).replace(/\.?0+(e|$)/, "$1");
const exact = (value) => String(Number(Number(value).toPrecision(6)));
const keyOf = (pick) => `${pick.kind}:${pick.layer}:${pick.row}:${pick.col}`;

export default function ({ parentElement, data, setTriggerValue }) {
  const svg = parentElement.querySelector("svg");
  const form = parentElement.querySelector("form");
  const what = parentElement.querySelector(".ne-what");
  const input = parentElement.querySelector("input");
  const cancel = parentElement.querySelector(".ne-cancel");
  if (!data || !Array.isArray(data.nodes) || !Array.isArray(data.edges)) return;

  const columns = data.captions.length;
  const tallest = Math.max(1, ...data.captions.map((_, x) => data.nodes.filter((n) => n.x === x).length));
  const row = Math.min(46, Math.max(22, 300 / tallest)); // px between two neurons of a column
  const radius = Math.min(12, Math.max(5, row * 0.3));
  const top = 12;
  const bottom = top + tallest * row;
  const width = Math.max(LEFT + (columns - 1) * COLUMN + 48, 380); // the legend's width at least
  const height = bottom + 104; // captions, then the legend's two rows
  const cx = (x) => LEFT + x * COLUMN;
  const cy = (y) => top + (tallest / 2 - y) * row;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.style.minWidth = `${Math.round(width * 0.8)}px`; // narrower screens scroll (the box is overflow: auto)
  svg.style.maxWidth = `${Math.round(width * 1.3)}px`;
  svg.replaceChildren();

  // Which item each pick key names, with its value and its words, for the field.
  const items = new Map();
  const widest = data.widest > 0 ? data.widest : 1;
  const links = make("g", { class: "ne-links" }, svg);
  for (const edge of data.edges) {
    const pick = { kind: "weight", layer: edge.layer, row: edge.row, col: edge.col };
    const ends = { x1: cx(edge.x), y1: cy(edge.y), x2: cx(edge.x2), y2: cy(edge.y2) };
    const group = make("g", { class: "ne-item", "data-key": keyOf(pick), tabindex: 0, role: "button" }, links);
    group.setAttribute("aria-label", `Weight ${edge.link}`);
    make("line", { ...ends, class: "ne-halo" }, group);
    make("line", { ...ends, stroke: edge.weight < 0 ? NEGATIVE : POSITIVE, "stroke-opacity": 0.8,
                   "stroke-width": THIN + ((THICK - THIN) * Math.abs(edge.weight)) / widest }, group);
    make("line", { ...ends, class: "ne-hit" }, group); // a wide invisible line: easy to hit with a finger
    make("title", {}, group).textContent = `${edge.link}: weight ${exact(edge.weight)}`;
    items.set(keyOf(pick), { pick, value: edge.weight, words: `Weight ${edge.link}` });
  }
  const neurons = make("g", { class: "ne-neurons" }, svg);
  for (const node of data.nodes) {
    const canEdit = node.bias !== null && node.bias !== undefined;
    const pick = { kind: "bias", layer: node.x - 1, row: 0, col: node.index };
    const group = make("g", canEdit ? { class: "ne-item", "data-key": keyOf(pick), tabindex: 0, role: "button" } : {},
                       neurons);
    if (canEdit) group.setAttribute("aria-label", `Bias of ${node.neuron}`);
    make("circle", { cx: cx(node.x), cy: cy(node.y), r: radius + 4, class: "ne-halo" }, group);
    make("circle", { cx: cx(node.x), cy: cy(node.y), r: radius, fill: NEURON }, group);
    if (canEdit) {
      make("circle", { cx: cx(node.x), cy: cy(node.y), r: radius + 8, class: "ne-hit" }, group);
      items.set(keyOf(pick), { pick, value: node.bias, words: `Bias of ${node.neuron}` });
    }
    make("title", {}, group).textContent = canEdit ? `${node.neuron}: bias ${exact(node.bias)}` : node.neuron;
    if (node.x === 0) text(svg, cx(0) - radius - 6, cy(node.y) + 4, node.neuron, "end", { class: "ne-label" });
  }
  data.captions.forEach((caption, x) => {
    const lines = Array.isArray(caption) ? caption : [caption];
    lines.forEach((line, k) => text(svg, cx(x), bottom + 18 + 15 * k, line, "middle", { class: "ne-label" }));
  });
  // The legend: four widths, as the Altair chart's, and the two colours.
  const legend = make("g", { class: "ne-label" }, svg);
  const legendY = bottom + 66;
  text(legend, 8, legendY + 4, "|weight|", "start");
  [0, 1 / 3, 2 / 3, 1].forEach((share, k) => {
    const x = 72 + k * 76;
    make("line", { x1: x, y1: legendY, x2: x + 24, y2: legendY, stroke: "currentColor", "stroke-opacity": 0.7,
                   "stroke-width": THIN + (THICK - THIN) * share }, legend);
    text(legend, x + 28, legendY + 4, short(share * (data.widest || 0)), "start");
  });
  text(legend, 8, legendY + 26, "blue: a positive weight, vermillion: a negative one", "start");

  // The picked item: kept on the svg across reruns while it is still in the drawing.
  const close = () => {
    svg.picked = null;
    form.hidden = true;
    for (const group of svg.querySelectorAll(".ne-picked")) group.classList.remove("ne-picked");
  };
  const show = (key, fresh) => {
    const item = items.get(key);
    if (!item) return close();
    for (const group of svg.querySelectorAll(".ne-picked")) group.classList.remove("ne-picked");
    svg.querySelector(`[data-key="${key}"]`)?.classList.add("ne-picked");
    svg.picked = { key, token: data.token };
    what.textContent = item.words;
    form.hidden = false;
    // A fresh pick, or the value Python kept after an edit: the field shows the model's number.
    if (fresh || document.activeElement !== input || svg.sent) input.value = exact(item.value);
    svg.sent = false;
    if (fresh) {
      input.focus({ preventScroll: true });
      input.select();
    }
  };
  if (svg.picked && svg.picked.token === data.token) show(svg.picked.key, false);
  else close();

  // Pointer events, for a mouse, a pen and a finger alike: a pick is a press and a release on the same
  // item (a finger that scrolls the drawing cancels its pointer, and picks nothing).
  svg.onpointerdown = (event) => {
    svg.pressed = event.target.closest?.(".ne-item")?.dataset.key ?? null;
  };
  svg.onpointerup = (event) => {
    const key = event.target.closest?.(".ne-item")?.dataset.key ?? null;
    if (key !== null && key === svg.pressed) show(key, true);
    svg.pressed = null;
  };
  svg.onpointercancel = () => {
    svg.pressed = null;
  };
  // The keyboard: Tab reaches each link and neuron, Enter or Space picks it.
  svg.onkeydown = (event) => {
    const key = event.target.closest?.(".ne-item")?.dataset.key;
    if (key && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(key, true);
    }
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const item = svg.picked && items.get(svg.picked.key);
    if (!item) return close();
    svg.sent = true;
    setTriggerValue("edit", { token: data.token, ...item.pick, text: input.value });
  };
  cancel.onclick = close;
  input.onkeydown = (event) => {
    if (event.key === "Escape") close();
  };
}
