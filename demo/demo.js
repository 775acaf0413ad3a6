// Shared by every demo page: highlights the nav, drives the consent buttons, shows the SDK's counters.
// Everything here talks to the SDK only through its public global, `window.tally`.
(function () {
  var CONSENT_KEY = 'tally-demo-consent';

  function markCurrentNav() {
    var here = location.pathname.replace(/\.html$/, '');
    document.querySelectorAll('nav a').forEach(function (a) {
      var target = a.getAttribute('href');
      var current = target === '/' ? here === '/' || here === '/index' : here === target || here.indexOf(target + '/') === 0;
      if (current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }

  function showConsent() {
    var el = document.getElementById('consent-state');
    if (!el) return;
    var saved = null;
    try {
      saved = localStorage.getItem(CONSENT_KEY);
    } catch (e) {}
    el.textContent = saved || 'granted (default)';
  }

  // A real site's consent banner keeps the visitor's choice; the SDK is told again on every page
  // (see the inline script in each page's <head>, which replays it before the first page view).
  function setConsent(state) {
    try {
      localStorage.setItem(CONSENT_KEY, state);
    } catch (e) {}
    tally.consent(state);
    showConsent();
  }

  function showStatus() {
    var el = document.getElementById('tally-status');
    if (!el || typeof tally.stats !== 'function') return;
    var s = tally.stats();
    el.textContent = 'queued ' + s.queued + ' · sent ' + s.sent + ' · dropped ' + s.dropped;
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-consent-choice]');
    if (button) setConsent(button.getAttribute('data-consent-choice'));
    if (e.target.closest && e.target.closest('#flush-now') && typeof tally.flush === 'function') tally.flush();
  });

  window.demo = { markCurrentNav: markCurrentNav };
  markCurrentNav();
  showConsent();
  showStatus();
  setInterval(showStatus, 500);
})();
