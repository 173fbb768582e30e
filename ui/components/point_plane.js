// The point plane: the learner's data on a canvas, over the network's decision boundary (or its fitted curve
// y = f(x)). A click or a tap adds a point of the chosen class, Remove mode (or a Shift-click, or a right
// click) removes the nearest one, Clear removes them all. Each change is drawn here at once and sent to
// Python as the whole list of points, [x, y, class] in hundredths of the plane's units; Python
// (ui/components/point_plane.py) checks the list before it uses it and answers with the new boundary.
//
// Python's list comes back in data.points with data.rev, a number Python changes only when it changed the
// points itself (a dataset copied in, a link, Reset): then the plane takes Python's list. Otherwise the
// plane keeps its own, which is never older than Python's (a redraw while the network trains may carry a
// list that has not caught up with the last click yet).
//
// Nothing from Python is written into the page as HTML: numbers are drawn on the canvas, labels are set
// with textContent. Streamlit runs this function again on the same DOM when data changes, so handlers are
// assigned (el.onclick = ...), never stacked with addEventListener.

const RADIUS = 5; // a point's radius in CSS pixels
const REACH = 16; // a remove click takes the nearest point within this many CSS pixels

export default function ({ parentElement, data, setStateValue }) {
  const canvas = parentElement.querySelector("canvas");
  const tools = parentElement.querySelector(".tools");
  const hint = parentElement.querySelector(".hint");
  const ctx = canvas.getContext("2d");
  const limit = data.limit; // the plane runs from -limit to limit hundredths both ways
  const regression = data.classes === 0;
  // The plane's own state lives on the canvas, so that it outlives this call (Streamlit calls it again).
  const state = canvas.plane ?? (canvas.plane = { points: [], rev: null, label: 0, remove: false });
  if (state.rev !== data.rev) {
    state.points = data.points.map((p) => p.slice());
    state.rev = data.rev;
  }
  if (state.label >= Math.max(data.classes, 1)) state.label = 0;

  const ink = () => getComputedStyle(canvas).color; // the theme's text colour (CSS)

  // Plane units (hundredths) to canvas pixels and back; y points up.
  const toPixel = (x, y) => [((x + limit) / (2 * limit)) * canvas.width, ((limit - y) / (2 * limit)) * canvas.height];
  function toPlane(event) {
    const box = canvas.getBoundingClientRect();
    const fx = (event.clientX - box.left - canvas.clientLeft) / canvas.clientWidth;
    const fy = (event.clientY - box.top - canvas.clientTop) / canvas.clientHeight;
    const clamp = (v) => Math.min(Math.max(Math.round(v), -limit), limit);
    return [clamp(fx * 2 * limit - limit), clamp(limit - fy * 2 * limit)];
  }

  // Which points are held out for validation: the same rule as ui/drawn_points.py's held_out.
  const heldOut = (i) => Math.floor((i + 1) * data.share) > Math.floor(i * data.share);

  function marker(x, y, colour, triangle, scale) {
    const [px, py] = toPixel(x, y);
    const r = RADIUS * scale;
    ctx.beginPath();
    if (triangle) {
      ctx.moveTo(px, py - 1.3 * r);
      ctx.lineTo(px + 1.2 * r, py + 0.8 * r);
      ctx.lineTo(px - 1.2 * r, py + 0.8 * r);
      ctx.closePath();
    } else {
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = colour;
    ctx.fill();
    ctx.lineWidth = 1.5 * scale;
    ctx.strokeStyle = ink();
    ctx.stroke();
  }

  function draw() {
    const scale = window.devicePixelRatio || 1;
    const size = Math.round((canvas.clientWidth || 400) * scale);
    if (canvas.width !== size) canvas.width = canvas.height = size;
    const { width, height } = canvas;
    ctx.clearRect(0, 0, width, height);
    // The boundary: each cell in its predicted class's colour, stronger where the model is surer.
    const grid = data.grid;
    if (grid) {
      const cell = width / grid.n;
      for (let k = 0; k < grid.cls.length; k++) {
        const i = k % grid.n;
        const j = Math.floor(k / grid.n); // row 0 at the bottom of the plane
        ctx.globalAlpha = 0.1 + 0.45 * grid.conf[k];
        ctx.fillStyle = data.colours[grid.cls[k] % data.colours.length];
        ctx.fillRect(Math.floor(i * cell), Math.floor(height - (j + 1) * cell), Math.ceil(cell), Math.ceil(cell));
      }
      ctx.globalAlpha = 1;
    }
    // Axes through 0 and a light line at each whole unit.
    ctx.strokeStyle = ink();
    for (let v = -100; v <= 100; v += 100) {
      ctx.globalAlpha = v === 0 ? 0.45 : 0.18;
      ctx.lineWidth = scale;
      const [px, py] = toPixel(v, v);
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, height);
      ctx.moveTo(0, py);
      ctx.lineTo(width, py);
      ctx.stroke();
    }
    ctx.globalAlpha = 0.7;
    ctx.fillStyle = ink();
    ctx.font = `${12 * scale}px sans-serif`;
    ctx.fillText(regression ? "x" : "x1", width - 22 * scale, toPixel(0, 0)[1] - 6 * scale);
    ctx.fillText(regression ? "y" : "x2", toPixel(0, 0)[0] + 6 * scale, 14 * scale);
    ctx.globalAlpha = 1;
    // The fitted curve y = f(x), for regression.
    if (data.curve) {
      ctx.strokeStyle = data.curveColour;
      ctx.lineWidth = 3 * scale;
      ctx.beginPath();
      data.curve.forEach(([x, y], k) => {
        const [px, py] = toPixel(x, Math.min(Math.max(y, -3 * limit), 3 * limit));
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
    }
    state.points.forEach(([x, y, label], i) => {
      const colour = data.colours[label % data.colours.length];
      if (heldOut(i) && !data.showValidation) return; // "Show the validation data" off
      ctx.globalAlpha = !regression && label >= data.classes ? 0.35 : 1; // a class the setting no longer has
      marker(x, y, colour, heldOut(i), scale);
    });
    ctx.globalAlpha = 1;
    const n = state.points.length;
    canvas.setAttribute("aria-label", `Data plane with ${n} point${n === 1 ? "" : "s"}: click to add a point`);
  }

  const send = () => setStateValue("points", state.points.map((p) => p.slice()));

  function nearest(event) {
    const box = canvas.getBoundingClientRect();
    let best = -1;
    let bestDistance = REACH;
    state.points.forEach(([x, y], i) => {
      const [px, py] = toPixel(x, y);
      const d = Math.hypot(
        box.left + canvas.clientLeft + (px * canvas.clientWidth) / canvas.width - event.clientX,
        box.top + canvas.clientTop + (py * canvas.clientHeight) / canvas.height - event.clientY,
      );
      if (d <= bestDistance) [best, bestDistance] = [i, d];
    });
    return best;
  }

  function showTools() {
    // Rebuilt only when what it shows changes: a redraw while the network trains (several a second) must not
    // replace a button under the learner's finger.
    const shown = `${data.classes}|${state.label}|${state.remove}`;
    if (tools.dataset.shown === shown) return;
    tools.dataset.shown = shown;
    tools.replaceChildren();
    const button = (text, pressed, onclick, colour) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.setAttribute("aria-pressed", pressed ? "true" : "false");
      if (colour) b.style.setProperty("--swatch", colour);
      b.onclick = onclick;
      tools.appendChild(b);
      return b;
    };
    for (let c = 0; c < data.classes; c++) {
      button(`Class ${c}`, !state.remove && state.label === c, () => {
        state.label = c;
        state.remove = false;
        canvas.showTools();
      }, data.colours[c % data.colours.length]).classList.add("swatch");
    }
    if (regression) {
      button("Add", !state.remove, () => {
        state.remove = false;
        canvas.showTools();
      });
    }
    button("Remove", state.remove, () => {
      state.remove = !state.remove;
      canvas.showTools();
    });
    button("Clear", false, () => {
      state.points = [];
      canvas.redraw();
      canvas.send();
    });
    hint.textContent = state.remove
      ? "Remove mode: click or tap a point to remove it."
      : `Click or tap to add ${regression ? "a point" : `a point of class ${state.label}`}; Shift-click or ` +
        "right-click removes the nearest point (on a touch screen, use Remove).";
  }

  canvas.onpointerdown = (event) => {
    if (event.button > 0 && event.button !== 2) return;
    event.preventDefault();
    if (state.remove || event.shiftKey || event.button === 2) {
      const i = nearest(event);
      if (i < 0) return;
      state.points.splice(i, 1);
    } else {
      if (state.points.length >= data.max) {
        hint.textContent = `The plane holds at most ${data.max} points: remove some to add more.`;
        return;
      }
      const [x, y] = toPlane(event);
      state.points.push([x, y, regression ? 0 : state.label]);
    }
    draw();
    send();
  };
  canvas.oncontextmenu = (event) => event.preventDefault(); // a right click removes instead

  if (!canvas.resizer) {
    canvas.resizer = new ResizeObserver(() => canvas.redraw());
    canvas.resizer.observe(canvas);
  }
  // The latest call's functions, for the observer and the tools' handlers (which outlive the call that made them).
  canvas.redraw = draw;
  canvas.send = send;
  canvas.showTools = showTools;
  showTools();
  draw();
}
