// Starts GOV.UK Frontend's JavaScript. The pages work without it: it only improves
// some components (the menu on small screens, the error summary's focus, buttons
// that must not be pressed twice). The GOV.UK page template does the first line with
// an inline script, which the console's Content-Security-Policy forbids; a module
// script runs only in browsers GOV.UK Frontend supports.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
