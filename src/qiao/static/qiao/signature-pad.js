// Signature pad (_signature_pad.html; a promotions receipt, 宣传促销品签收单): the signer signs
// on a <canvas> with a finger, pen or mouse.
// Pointer events cover all three; the drawing is kept as strokes in CSS pixels so that a
// resize (phone rotated) redraws it sharply. The form's hidden [data-signature-input] carries a
// PNG data URL, empty while nothing is drawn; the server checks it again.
(() => {
  "use strict";

  const MAX_DENSITY = 2; // enough for a crisp print; keeps the PNG small
  const LINE_WIDTH = 2.5;

  function setUp(pad) {
    const canvas = pad.querySelector("[data-signature-canvas]");
    const form = pad.closest("form");
    const input = form && form.querySelector("[data-signature-input]");
    const clear = pad.querySelector("[data-signature-clear]");
    if (!canvas || !input) return;
    const context = canvas.getContext("2d");
    let strokes = [];
    let current = null;
    let base = null; // a signature sent back by the server after a refused form
    let width = 0;

    function density() {
      return Math.min(window.devicePixelRatio || 1, MAX_DENSITY);
    }

    function redraw() {
      const d = density();
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(0, 0, canvas.width, canvas.height);
      context.setTransform(d, 0, 0, d, 0, 0);
      if (base) context.drawImage(base, 0, 0, canvas.width / d, canvas.height / d);
      context.lineCap = "round";
      context.lineJoin = "round";
      context.lineWidth = LINE_WIDTH;
      context.strokeStyle = "#111";
      context.fillStyle = "#111";
      for (const stroke of strokes) drawStroke(stroke);
    }

    function drawStroke(points) {
      if (points.length === 1) {
        context.beginPath();
        context.arc(points[0].x, points[0].y, LINE_WIDTH / 2, 0, Math.PI * 2);
        context.fill();
        return;
      }
      context.beginPath();
      context.moveTo(points[0].x, points[0].y);
      for (let i = 1; i < points.length; i += 1) context.lineTo(points[i].x, points[i].y);
      context.stroke();
    }

    function resize() {
      const rect = canvas.getBoundingClientRect();
      if (Math.round(rect.width) === width) return;
      width = Math.round(rect.width);
      const d = density();
      canvas.width = Math.round(rect.width * d);
      canvas.height = Math.round(rect.height * d);
      redraw();
    }

    function save() {
      const empty = strokes.length === 0 && !base;
      input.value = empty ? "" : canvas.toDataURL("image/png");
      pad.classList.toggle("is-signed", !empty);
    }

    function point(event) {
      const rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== undefined && event.button > 0) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      redraw();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!current) return;
      event.preventDefault();
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const e of events.length ? events : [event]) current.push(point(e));
      redraw();
    });
    const finish = (event) => {
      if (!current) return;
      current = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      save();
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    if (clear) {
      clear.addEventListener("click", () => {
        strokes = [];
        base = null;
        redraw();
        save();
      });
    }
    // The pad's own size, not the window's: it may be laid out (or shown) after the page loads.
    if (window.ResizeObserver) new ResizeObserver(resize).observe(canvas);
    else window.addEventListener("resize", resize);
    resize();

    if (input.value.startsWith("data:image/png;base64,")) {
      const image = new Image();
      image.addEventListener("load", () => { base = image; redraw(); save(); });
      image.addEventListener("error", () => { input.value = ""; save(); });
      image.src = input.value;
    } else {
      input.value = "";
    }
  }

  function init() {
    document.querySelectorAll("[data-signature-pad]").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
