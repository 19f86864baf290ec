/// The admin portal's dates in the viewer's own time (issue 16, decision 0032). The server writes
/// every date as `<time datetime="ISO 8601 UTC">d MMM yyyy, HH:mm UTC</time>`, readable without
/// JavaScript; this module rewrites the text with `Intl.DateTimeFormat` in the browser's time zone
/// and keeps the UTC text as the element's title.
extension PageScripts {
    static let localTime = """
    const format = new Intl.DateTimeFormat(undefined, {
      day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    for (const element of document.querySelectorAll('time[datetime]')) {
      const when = new Date(element.getAttribute('datetime'));
      if (Number.isNaN(when.getTime()) || element.dataset.local) continue;
      element.title = element.textContent;
      element.textContent = format.format(when);
      element.dataset.local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    }

    """
}
