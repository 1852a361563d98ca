// The "Print this page" button: shown only when scripts run, it opens the print dialog.
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
