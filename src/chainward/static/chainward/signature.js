// Signature pads of the check-run page (issue 15 item 2). Each <canvas data-signature-pad>
// is drawn on with a finger, a pen or the mouse; after every stroke the drawing is written as
// a PNG data URL into the hidden <input data-signature-data> of the same [data-signature]
// block, which is posted with the answers. Clear empties both. No inline script (strict CSP).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-signature]").forEach((block) => {
    const canvas = block.querySelector("canvas[data-signature-pad]");
    const field = block.querySelector("input[data-signature-data]");
    const clear = block.querySelector("[data-signature-clear]");
    if (!canvas || !field) return;
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    const fit = () => {
      // Draw at the displayed size so a stroke lands under the finger.
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.round(canvas.clientWidth * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
    };
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    const save = () => { field.value = drawn ? canvas.toDataURL("image/png") : ""; };
    const reset = () => {
      drawn = false;
      context.clearRect(0, 0, canvas.width, canvas.height);
      save();
    };

    fit();
    canvas.style.touchAction = "none";  // the finger draws instead of scrolling the page
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      context.beginPath();
      context.moveTo(x, y);
      context.lineTo(x + 0.1, y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const [x, y] = point(event);
      context.lineTo(x, y);
      context.stroke();
    });
    const stop = () => {
      if (!drawing) return;
      drawing = false;
      save();
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    if (clear) clear.addEventListener("click", reset);
    window.addEventListener("resize", () => { if (!drawn) fit(); });
  });
});
