"""Telling a Voila user that the kernel behind the page is gone (no Python left to answer).

When a session's kernel dies (killed, out of memory, restarted by the server) or the server
goes away, the page's controls silently stop working. :func:`connection_notice` returns a
small HTML output whose script watches the page's kernel connection and puts a red banner
(CSS class ``qdkit-connection-lost``) across the top of the page saying what happened and
what to do. It does nothing outside Voila (JupyterLab shows the kernel's state itself).
"""

from __future__ import annotations

import json

LOST = (
    "This session has stopped: the Python kernel behind the page was shut down or "
    "restarted, so the controls no longer update the plot. Reload the page (F5) to "
    "start a fresh session; your slider settings will start from the paper's again."
)
OFFLINE = (
    "The connection to the server was lost, so the controls no longer update the "
    "plot. Check that the app's server is still running, then reload the page (F5)."
)

_SCRIPT = """
<div class="qdkit-connection-watch" style="display:none"></div>
<script>
(function () {
  if (window.__qdkitWatch || !document.body.dataset.voila) { return; }
  window.__qdkitWatch = true;
  const text = %(text)s;
  function notice(message) {
    let el = document.querySelector('.qdkit-connection-lost');
    if (!el) {
      el = document.createElement('div');
      el.className = 'qdkit-connection-lost';
      el.setAttribute('role', 'alert');
      el.style.cssText = 'position:fixed;top:0;left:0;right:0;z-index:10000;' +
        'padding:0.8em 1.2em;background:#b00020;color:#fff;font:15px/1.4 sans-serif';
      document.body.appendChild(el);
    }
    el.textContent = message;
  }
  function watch(kernel) {
    kernel.statusChanged.connect(function (_, status) {
      if (['dead', 'restarting', 'autorestarting'].includes(status)) { notice(text.lost); }
    });
    kernel.connectionStatusChanged.connect(function (_, status) {
      if (status === 'disconnected' && !kernel.isDisposed) { notice(text.offline); }
    });
  }
  let tries = 0;
  (function wait() {  // the page's app starts after this output is shown
    const manager = window.jupyterapp && window.jupyterapp.widgetManager;
    if (manager && manager.kernel) { watch(manager.kernel); }
    else if (++tries < 3000) { setTimeout(wait, 200); }
  })();
})();
</script>
"""


def connection_notice():
    """An HTML output that shows a banner in a Voila page whose kernel has gone away.

    Display it once in a Voila app notebook (``widgets/app/explorer.ipynb`` does).

    Returns
    -------
    IPython.display.HTML
        Invisible until the kernel dies, restarts or the server connection is lost.
    """
    from IPython.display import HTML

    return HTML(_SCRIPT % {"text": json.dumps({"lost": LOST, "offline": OFFLINE})})


__all__ = ["LOST", "OFFLINE", "connection_notice"]
