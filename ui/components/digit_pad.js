// The digit pad: a square canvas to draw a digit on with a mouse, a pen or a finger (pointer events).
// The stroke is drawn here at once; when a stroke ends (and on Clear) the drawing goes to Python as a
// bitmap: its rows as hex strings, 4 pixels a hex digit, a pixel "on" where the ink's alpha is at least
// half. Python (ui/components/digit_pad.py) checks it before using it. Nothing but the bitmap goes out,
// and nothing from Python is written into the page as HTML.
//
// Streamlit runs this function again on the same DOM when its data changes, so handlers are assigned
// (canvas.onpointerdown = ...), never stacked with addEventListener.

const PEN = 16; // the pen's width in canvas pixels (the canvas is SIZE x SIZE, set in the HTML)

export default function ({ parentElement, data, setStateValue }) {
  const canvas = parentElement.querySelector("canvas");
  const clear = parentElement.querySelector("button");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  // The previous point of the stroke being drawn (null between strokes) lives on the canvas, not in this
  // call: a rerun that calls this function again in the middle of a stroke must not cut the stroke off.
  const stroke = canvas.stroke ?? (canvas.stroke = { last: null });

  // Pointer position in canvas pixels (the canvas may be shown smaller or larger than it is).
  function point(event) {
    const box = canvas.getBoundingClientRect(); // includes the border; clientLeft/Width do not
    const x = ((event.clientX - box.left - canvas.clientLeft) * canvas.width) / canvas.clientWidth;
    const y = ((event.clientY - box.top - canvas.clientTop) * canvas.height) / canvas.clientHeight;
    return [Math.min(Math.max(x, 0), canvas.width), Math.min(Math.max(y, 0), canvas.height)];
  }

  function segment(from, to) {
    ctx.strokeStyle = getComputedStyle(canvas).color; // the theme's text colour (CSS)
    ctx.lineWidth = PEN;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  }

  // The drawing as SIZE hex strings, one per row.
  function bitmap() {
    const { width, height } = canvas;
    const alpha = ctx.getImageData(0, 0, width, height).data; // RGBA, row by row
    const rows = [];
    for (let y = 0; y < height; y++) {
      let row = "";
      for (let x = 0; x < width; x += 4) {
        let nibble = 0;
        for (let k = 0; k < 4; k++) {
          const on = alpha[(y * width + x + k) * 4 + 3] >= 128;
          nibble = (nibble << 1) | (on ? 1 : 0);
        }
        row += nibble.toString(16);
      }
      rows.push(row);
    }
    return rows;
  }

  // Paint a bitmap sent back by Python (rows of hex, as bitmap() makes them), pixel by pixel.
  function paint(rows) {
    ctx.fillStyle = getComputedStyle(canvas).color;
    rows.forEach((row, y) => {
      for (let i = 0; i < row.length; i++) {
        const nibble = parseInt(row[i], 16);
        for (let k = 0; k < 4; k++) if (nibble & (8 >> k)) ctx.fillRect(4 * i + k, y, 1, 1);
      }
    });
  }

  const send = () => setStateValue("bitmap", { rows: bitmap() });

  // A new canvas (the pad mounted again, e.g. after the network was retrained) shows the drawing Python
  // still holds, so the drawing and the reading beside it always agree. A canvas in use keeps its own.
  if (!canvas.dataset.painted) {
    canvas.dataset.painted = "yes";
    if (data && Array.isArray(data.rows) && data.rows.length === canvas.height) paint(data.rows);
  }

  canvas.onpointerdown = (event) => {
    event.preventDefault();
    try {
      canvas.setPointerCapture(event.pointerId); // the stroke goes on when the pointer leaves the pad
    } catch (error) {
      // a pointer the browser no longer tracks: draw without capture
    }
    stroke.last = point(event);
    segment(stroke.last, stroke.last); // a dot, for a tap
  };
  canvas.onpointermove = (event) => {
    if (stroke.last === null) return;
    const here = point(event);
    segment(stroke.last, here);
    stroke.last = here;
  };
  canvas.onpointerup = canvas.onpointercancel = () => {
    if (stroke.last === null) return;
    stroke.last = null;
    send();
  };
  clear.onclick = () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    send();
  };
}
