// A tiny client-side router, standing in for React Router & co: links marked `data-route` change
// the address with history.pushState and re-render #view, without a page load. The SDK notices the
// URL change by itself; nothing here calls it except the explicit examples marked below.
(function () {
  var views = {
    '/app': [
      '<h1>Overview</h1>',
      '<p>Three buttons, three <code>data-track</code> events. Their <code>data-track-*</code> attributes become metadata.</p>',
      '<div class="row">',
      '  <button id="new-note" class="primary" data-track="new_note" data-track-template="blank">New note</button>',
      '  <button id="export-csv" data-track="export_report" data-track-format="csv" data-track-rows="120">Export CSV</button>',
      '  <button id="invite" data-track="invite_teammate" data-action="open_dialog" data-track-role="editor">Invite a teammate</button>',
      '</div>',
      '<p class="hint">A call from code works too:</p>',
      '<div class="row"><button id="track-from-code">tally.track(\'action\', \'search\', { query_length: 7 })</button></div>',
    ],
    '/app/reports': [
      '<h1>Reports</h1>',
      '<p>Errors are captured automatically (message, source, line, a short stack), deduplicated and rate-limited.</p>',
      '<div class="row">',
      '  <button id="throw-error" class="danger">Throw an error</button>',
      '  <button id="reject-promise" class="danger">Reject a promise</button>',
      '</div>',
    ],
    '/app/settings': [
      '<h1>Settings</h1>',
      '<p>Identify the visitor, or log out (new anonymous id, user id cleared).</p>',
      '<div class="row">',
      '  <button id="login" data-track="login" data-track-method="demo">Log in as demo-user-42</button>',
      '  <button id="logout" data-track="logout">Log out</button>',
      '</div>',
      '<p class="hint">The consent buttons at the bottom work on every page.</p>',
    ],
  };

  function render() {
    var path = location.pathname.replace(/\/+$/, '') || '/app';
    var html = views[path] || ['<h1>Not found</h1>', '<p>No screen at <code>' + path.replace(/[<>&]/g, '') + '</code>.</p>'];
    document.getElementById('view').innerHTML = html.join('\n');
    document.title = (html[0] || '').replace(/<[^>]+>/g, '') + ' · Tally demo';
    if (window.demo) window.demo.markCurrentNav();
  }

  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-route]');
    if (link && !e.metaKey && !e.ctrlKey && !e.shiftKey && e.button === 0) {
      e.preventDefault();
      if (link.getAttribute('href') !== location.pathname) history.pushState(null, '', link.getAttribute('href'));
      render();
      return;
    }
    var id = e.target.closest && e.target.closest('button') && e.target.closest('button').id;
    // Explicit SDK calls, to show the API next to the declarative data-track attributes.
    if (id === 'track-from-code') tally.track('action', 'search', { query_length: 7 });
    if (id === 'login') tally.setUserId('demo-user-42');
    if (id === 'logout') tally.reset();
    if (id === 'throw-error') throw new Error('Demo: the Reports button broke on purpose');
    if (id === 'reject-promise') Promise.reject(new Error('Demo: a promise nobody awaited'));
  });

  window.addEventListener('popstate', render);
  render();
})();
