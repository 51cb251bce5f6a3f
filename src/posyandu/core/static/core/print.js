// Buttons marked data-print open the browser's print dialog. A file, not an
// onclick attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
