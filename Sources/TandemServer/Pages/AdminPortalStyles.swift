/// The admin portal's stylesheet (`/static/admin.css`). Mobile first: on a phone the navigation
/// is a wrapping list above the content and wide tables scroll inside their own box, so no page
/// is wider than the screen; from 800 px the navigation is a column on the left, as in Entra.
enum AdminPortalStyles {
    static let stylesheet = """
    :root { font-family: "Segoe UI", system-ui, -apple-system, sans-serif; color: #1b1b1b; background: #faf9f8; }
    * { box-sizing: border-box; }
    body { margin: 0; }
    a { color: #0067b8; }
    .topbar { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem; background: #0067b8;
      color: #fff; padding: .5rem 1rem; }
    .topbar .brand { font-weight: 600; }
    .topbar .who { font-size: .85rem; overflow-wrap: anywhere; }
    .topbar form { display: inline; margin: 0; }
    .topbar button { background: none; border: 1px solid #fff; color: #fff; min-height: 28px; padding: .2rem .75rem; cursor: pointer; }
    .portal { display: block; }
    nav.side { background: #fff; border-bottom: 1px solid #e1dfdd; padding: .25rem .5rem; }
    nav.side ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .1rem .25rem; }
    nav.side a { display: block; padding: .35rem .5rem; min-height: 28px; text-decoration: none; color: #1b1b1b; font-size: .9rem; }
    nav.side a[aria-current=page] { background: #edebe9; font-weight: 600; border-left: 3px solid #0067b8; }
    nav.side .view-only { color: #5e5e5e; font-size: .75rem; }
    main.content { padding: 1rem; min-width: 0; }
    h1 { font-size: 1.4rem; font-weight: 600; margin: .25rem 0 1rem; }
    h2 { font-size: 1.1rem; font-weight: 600; margin: 1.5rem 0 .5rem; }
    .meta { color: #5e5e5e; font-size: .85rem; }
    .error { color: #a4262c; background: #fde7e9; padding: .5rem .75rem; }
    .status { color: #107c10; background: #dff6dd; padding: .5rem .75rem; }
    .secret { font-family: ui-monospace, monospace; font-size: 1.3rem; background: #fff4ce; padding: .5rem .75rem; overflow-wrap: anywhere; }
    .table-wrap { overflow-x: auto; max-width: 100%; background: #fff; border: 1px solid #e1dfdd; }
    table { border-collapse: collapse; width: 100%; font-size: .85rem; }
    th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #edebe9; vertical-align: top; }
    th { background: #f3f2f1; font-weight: 600; white-space: nowrap; }
    td.nowrap { white-space: nowrap; }
    .ok { color: #107c10; } .fail { color: #a4262c; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin: .5rem 0 1rem; }
    .tile { background: #fff; border: 1px solid #e1dfdd; padding: .75rem; }
    .tile .value { font-size: 1.6rem; font-weight: 600; display: block; }
    .charts { display: grid; grid-template-columns: 1fr; gap: 1rem; }
    figure.chart { background: #fff; border: 1px solid #e1dfdd; margin: 0; padding: .75rem; }
    figure.chart svg { width: 100%; height: auto; max-width: 480px; display: block; }
    figure.chart figcaption { font-weight: 600; margin-bottom: .5rem; }
    figure.chart table { margin-top: .5rem; }
    form.inline { display: inline; margin: 0; }
    form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin-bottom: 1rem; }
    form.filters label { display: flex; flex-direction: column; font-size: .85rem; }
    label { display: block; margin: .5rem 0 .2rem; }
    input[type=text], input[type=password], input[type=search], input[type=number], input[type=datetime-local], select, textarea {
      font-size: 1rem; padding: .35rem .4rem; min-height: 32px; border: 1px solid #8a8886; background: #fff; max-width: 100%; }
    input[type=checkbox], input[type=radio] { width: 24px; height: 24px; vertical-align: middle; margin: 2px 6px 2px 0; }
    button, .button { display: inline-block; min-height: 32px; background: #0067b8; color: #fff; border: 1px solid #0067b8; padding: .35rem 1rem;
      font-size: .95rem; cursor: pointer; text-decoration: none; }
    button.secondary, .button.secondary { background: #fff; color: #0067b8; }
    button.danger { background: #a4262c; border-color: #a4262c; }
    button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid #000; outline-offset: 2px; }
    fieldset { border: 1px solid #e1dfdd; background: #fff; margin: 1rem 0; padding: .5rem .75rem; min-width: 0; }
    legend { font-weight: 600; padding: 0 .25rem; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .75rem; background: #fff; border: 1px solid #e1dfdd;
      padding: .75rem; margin: 0 0 1rem; }
    dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
    .pager { display: flex; gap: 1rem; margin: .75rem 0; }
    .confirm { border-left: 4px solid #a4262c; background: #fff; padding: .75rem; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (min-width: 800px) {
      .portal { display: grid; grid-template-columns: 220px minmax(0, 1fr); min-height: calc(100vh - 44px); }
      nav.side { border-bottom: 0; border-right: 1px solid #e1dfdd; padding: .75rem 0; }
      nav.side ul { display: block; }
      nav.side a { padding: .5rem 1rem; }
      main.content { padding: 1.25rem 2rem; }
      .charts { grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); }
    }
    """
}
