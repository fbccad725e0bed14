/* sockscope report: builds the page from the embedded JSON.
   Every string from the data is untrusted: it is only ever set with textContent,
   and links are made only for http(s) URLs, with rel="noopener noreferrer".
   Times are UTC unless the reader picks the browser's zone at the top. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sockscope-data").textContent);
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"];
  var groupIndex = {};
  data.groups.forEach(function (g, i) { groupIndex[g.id] = i; });
  var zone = "UTC";  // or "local": the browser's zone
  function colour(group) { return PALETTE[(groupIndex[group] || 0) % PALETTE.length]; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function str(i) { return i >= 0 ? data.strings[i] : ""; }
  /* a hashed id (archive releases) is not a handle: no @, and shortened for display */
  function looksHashed(text) { return text.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(text); }
  function handle(id) {
    var a = data.accounts[id], h = a && a.h ? a.h : "";
    if (h && h !== id && !looksHashed(h)) return "@" + h;
    return looksHashed(id) ? id.slice(0, 10) + "…" : id;
  }
  /* evidence rows refer to accounts by their index in data.account_ids */
  function acc(i) { return i >= 0 ? data.account_ids[i] : ""; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* a time in epoch seconds, in the chosen zone, to the second */
  function when(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var d = new Date(seconds * 1000);
    if (zone === "UTC") return d.toISOString().replace(".000Z", "Z").replace("T", " ");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function whenIso(text) { return text ? when(Date.parse(text) / 1000) : ""; }
  function zoneName() {
    if (zone === "UTC") return "UTC";
    var minutes = -new Date().getTimezoneOffset(), sign = minutes < 0 ? "-" : "+";
    minutes = Math.abs(minutes);
    return "UTC" + sign + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60) + " (" +
      (Intl.DateTimeFormat().resolvedOptions().timeZone || "local") + ")";
  }
  /* a gap in human units: 12 s, 3 min, 2.5 h, 4 days */
  function gap(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return "";
    var s = Math.abs(seconds);
    if (s < 90) return Math.round(s) + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    if (s < 172800) return (Math.round(s / 360) / 10) + " h";
    return (Math.round(s / 8640) / 10) + " days";
  }
  function safeLink(text, label) {
    var url = null;
    try { url = new URL(text); } catch (e) { url = null; }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return el("span", label === undefined ? text : label);
    }
    var a = el("a", label === undefined ? text : label);
    a.href = url.href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }
  function cell(row, content) {
    var td = el("td");
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }
  function timeCell(row, seconds) {
    var td = cell(row, when(seconds));
    td.dataset.t = seconds === null || seconds === undefined ? "" : String(seconds);
    return td;
  }

  /* CSV for the export buttons: the same rules as the CSV files (ids verbatim, text that
     a spreadsheet would run as a formula prefixed with an apostrophe) */
  var FORMULA = /^[=+\-@\t\r]/;
  function csvCell(value, isId) {
    if (value === null || value === undefined) return "";
    var text = String(value);
    if (!isId && typeof value === "string" && FORMULA.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function download(name, header, rows, ids) {
    var lines = [header.join(",")];
    rows.forEach(function (r) {
      lines.push(r.map(function (v, i) { return csvCell(v, ids.indexOf(header[i]) >= 0); }).join(","));
    });
    var blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  /* overview */
  (function overview() {
    var o = data.overview, body = document.getElementById("overview-body");
    var m = o.manifest, counts = m.counts || {};
    var facts = el("p");
    facts.textContent = o.posts.toLocaleString() + " posts by " + o.accounts.toLocaleString() +
      " accounts, " + (o.first || "?") + " to " + (o.last || "?") + " (UTC). " +
      (counts.flagged || 0).toLocaleString() + " accounts flagged in " +
      (counts.groups || 0).toLocaleString() + " groups; " +
      (counts.edges || 0).toLocaleString() + " significant links at a false discovery rate of " +
      ((m.parameters || {}).fdr) + ".";
    body.appendChild(facts);
    var table = el("table"), head = el("tr");
    ["input", "format", "rows read", "kept", "skipped", "why skipped"].forEach(function (h) {
      head.appendChild(el("th", h)); });
    table.appendChild(head);
    o.inputs.forEach(function (input) {
      var row = el("tr");
      [input.path, input.format, input.read.toLocaleString(), input.kept.toLocaleString(),
       input.skipped.toLocaleString(), input.reasons.map(function (r) {
         return r.count + " " + r.reason + (r.field ? " [" + r.field + "]" : ""); }).join("; ")
      ].forEach(function (v) { cell(row, v); });
      table.appendChild(row);
    });
    body.appendChild(table);
    (m.notes || []).forEach(function (note) { body.appendChild(el("p", "Note: " + note, "muted")); });
    document.querySelectorAll(".boost").forEach(function (span) {
      span.textContent = Math.round((data.persona_boost || 0) * 100) + "%"; });
    var method = document.querySelector("#method-table tbody");
    (data.method || []).forEach(function (line) {
      var row = el("tr");
      line.forEach(function (v) { cell(row, v); });
      method.appendChild(row);
    });
  })();

  /* an account's dossier: marks in words, profile link, strongest ties */
  function showAccount(id, account, reveal) {
    var detail = document.getElementById("account-detail");
    detail.textContent = "";
    detail.className = "";
    var title = el("h4", "Account " + id + (account.h && account.h !== id ? " (" + handle(id) + ")" : ""));
    detail.appendChild(title);
    if (account.u) {
      var p = el("p");
      p.appendChild(safeLink(account.u, "open the profile on its platform"));
      detail.appendChild(p);
    }
    var facts = [];
    if (account.n) facts.push("display name " + account.n);
    if (account.c) facts.push("created " + account.c.slice(0, 10));
    if (account.k !== undefined) facts.push(account.k.toLocaleString() + " posts");
    facts.push("group " + account.g + ", score " + account.s);
    detail.appendChild(el("p", facts.join("; ") + "."));
    var marks = (account.w || "").split("; ").filter(function (m) { return m; });
    var list = el("ul");
    marks.forEach(function (m) { list.appendChild(el("li", m)); });
    if (account.z) list.appendChild(el("li", account.z));
    if (!marks.length && !account.z) list.appendChild(el("li", "no persona marks"));
    detail.appendChild(el("p", "Persona marks:"));
    detail.appendChild(list);
    var ties = account.t || [];
    if (ties.length) {
      var table = el("table"), head = el("tr");
      ["tied to", "behaviour", "weight", "q-value"].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(head);
      ties.forEach(function (t) {
        var row = el("tr");
        [t[0] + (handle(t[0]) !== t[0] ? " (" + handle(t[0]) + ")" : ""), t[1], String(t[2]),
         String(t[3])].forEach(function (v) { cell(row, v); });
        table.appendChild(row);
      });
      detail.appendChild(el("p", "Strongest ties:"));
      detail.appendChild(table);
    }
    if (reveal) {
      var box = detail.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) detail.scrollIntoView({ block: "nearest" });
    }
  }
  window.sockscopeShowAccount = function (id) { showAccount(id, data.accounts[id] || {}, true); };

  /* a group's persona signals: statistic, p-value against random groups, plain words */
  function drawSignals(g) {
    var box = document.getElementById("signals");
    box.textContent = "";
    var entries = (g.signals || "").split(";").filter(function (s) { return s; });
    if (!entries.length) { box.appendChild(el("p", "No persona signal could be computed for this group.", "muted")); return; }
    (g.persona || []).forEach(function (line) { box.appendChild(el("p", line)); });
    var table = el("table"), head = el("tr");
    ["signal", "statistic", "p against random groups"].forEach(function (h) { head.appendChild(el("th", h)); });
    table.appendChild(head);
    entries.forEach(function (entry) {
      var m = /^([a-z_]+)=([0-9.]+)\(p=([0-9.e+-]+)\)$/.exec(entry), row = el("tr");
      if (!m) return;
      [m[1], m[2], m[3]].forEach(function (v) { cell(row, v); });
      var floors = data.persona_floors || {};
      if (parseFloat(m[3]) < data.persona_significant && parseFloat(m[2]) >= (floors[m[1]] || 0)) {
        row.className = "shows";
      }
      table.appendChild(row);
    });
    box.appendChild(table);
  }

  /* group list */
  (function groupList() {
    var tbody = document.querySelector("#group-table tbody");
    data.groups.forEach(function (g) {
      var row = el("tr");
      row.dataset.group = g.id;
      var name = el("td");
      var swatch = el("span", null, "swatch");
      swatch.style.background = colour(g.id);
      name.appendChild(swatch);
      name.appendChild(document.createTextNode(g.id));
      row.appendChild(name);
      cell(row, g.size);
      cell(row, g.score.toFixed(2));
      cell(row, g.q.toExponential(1));
      cell(row, g.summary);
      row.addEventListener("click", function () { showGroup(g.id); });
      tbody.appendChild(row);
    });
    if (!data.groups.length) {
      var empty = el("tr"), td = el("td", "No coordinated group was found.");
      td.colSpan = 5; empty.appendChild(td); tbody.appendChild(empty);
    }
  })();

  /* network: each group laid out apart (precomputed); labels on the top accounts */
  var cy = null;
  (function network() {
    var net = data.network, note = document.getElementById("network-note");
    note.textContent = (net.shown < net.flagged ?
      "Showing the " + net.shown.toLocaleString() + " highest-scoring of " +
      net.flagged.toLocaleString() + " flagged accounts." :
      net.flagged.toLocaleString() + " flagged accounts.") +
      " Each group is drawn apart in its colour; the highest-scoring accounts of each are labelled." +
      " Scroll to zoom, drag to pan, hover for a name, click for the account.";
    if (net.edges.length < net.edges_total) {
      note.textContent += " Drawing the " + net.edges.length.toLocaleString() + " strongest of " +
        net.edges_total.toLocaleString() + " links.";
    }
    var legend = document.getElementById("network-legend"), shown = {};
    net.nodes.forEach(function (n) { var a = data.accounts[n[0]] || {}; shown[a.g] = (shown[a.g] || 0) + 1; });
    data.groups.forEach(function (g) {
      if (!shown[g.id]) return;
      var item = el("span", null, "legend-item"), swatch = el("span", null, "swatch");
      swatch.style.background = colour(g.id);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(g.id + " (" + shown[g.id] + ")"));
      item.addEventListener("click", function () { showGroup(g.id); });
      legend.appendChild(item);
    });
    legend.appendChild(el("span", "line: a significant tie (thicker: stronger)", "legend-item muted"));
    var elements = net.nodes.map(function (n) {
      var account = data.accounts[n[0]] || {};
      return { group: "nodes", data: { id: "n" + n[0], account: n[0], label: handle(n[0]),
               shown: n[3] ? handle(n[0]) : "", group: account.g, colour: colour(account.g) },
               position: { x: n[1], y: n[2] } };
    });
    var behaviours = {};
    net.edges.forEach(function (e, i) {
      e[3].split(";").forEach(function (b) { behaviours[b] = true; });
      elements.push({ group: "edges", data: { id: "e" + i, source: "n" + net.nodes[e[0]][0],
        target: "n" + net.nodes[e[1]][0], weight: e[2], width: Math.min(4, 0.4 + Math.log(1 + e[2]) / 2),
        behaviours: e[3] } });
    });
    if (typeof cytoscape === "undefined") return;
    cy = cytoscape({
      container: document.getElementById("network"), elements: elements,
      layout: { name: "preset" }, minZoom: 0.02, maxZoom: 8, textureOnViewport: true,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", width: 7, height: 7,
          label: "data(shown)", "font-size": 9, "text-valign": "top", "text-margin-y": -2,
          "min-zoomed-font-size": 6, color: "#333" } },
        { selector: "edge", style: { width: "data(width)", "line-color": "#bbb", opacity: 0.5 } },
        { selector: "node:selected", style: { "border-width": 2, "border-color": "#000",
          label: "data(label)" } }
      ]
    });
    var tooltip = document.getElementById("tooltip");
    function hideTooltip() { tooltip.hidden = true; }
    cy.on("mouseover", "node", function (evt) {
      tooltip.textContent = evt.target.data("label") + " (" + evt.target.data("group") + ")";
      tooltip.hidden = false;
    });
    cy.on("mousemove", function (evt) {
      var e = evt.originalEvent; if (!e) return;
      tooltip.style.left = (e.clientX + 12) + "px"; tooltip.style.top = (e.clientY + 12) + "px";
    });
    cy.on("mouseout", "node", hideTooltip);
    document.getElementById("network").addEventListener("mouseleave", hideTooltip);
    window.addEventListener("scroll", hideTooltip, { passive: true });
    cy.on("tap", "node", function (evt) {
      hideTooltip();
      var id = evt.target.data("account"), account = data.accounts[id] || {};
      if (account.g) showGroup(account.g, true);
      showAccount(id, account, true);  // the panel sits just below the network: keep it in view
    });
    var filter = document.getElementById("behaviour-filter");
    Object.keys(behaviours).sort().forEach(function (b) {
      var label = el("label"), box = el("input");
      box.type = "checkbox"; box.checked = true; box.value = b;
      box.addEventListener("change", applyFilter);
      label.appendChild(box); label.appendChild(document.createTextNode(" " + b));
      filter.appendChild(label);
    });
    function applyFilter() {
      var on = {};
      filter.querySelectorAll("input").forEach(function (box) { on[box.value] = box.checked; });
      cy.batch(function () {
        cy.edges().forEach(function (edge) {
          var show = edge.data("behaviours").split(";").some(function (b) { return on[b]; });
          edge.style("display", show ? "element" : "none");
        });
      });
    }
  })();

  /* group detail */
  var selected = null;
  var evidenceRows = [], evidenceView = [], page = 0, sortCol = 5, sortDir = 1;
  var PAGE = 25, plot = null, contentKind = "";
  function members(id) {
    return data.account_ids.filter(function (a) { return (data.accounts[a] || {}).g === id; })
      .sort(function (a, b) { return (data.accounts[b].s - data.accounts[a].s) || (a < b ? -1 : 1); });
  }
  function showGroup(id, fromNetwork) {
    selected = id;
    var g = data.groups[groupIndex[id]];
    if (!g) return;
    document.querySelectorAll("#group-table tbody tr").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.group === id); });
    document.getElementById("group-empty").hidden = true;
    document.getElementById("group-body").hidden = false;
    document.getElementById("group-title").textContent = g.id + ": " + g.size + " accounts";
    document.getElementById("group-summary").textContent = g.summary;
    var facts = document.getElementById("group-facts");
    facts.textContent = "";
    [["score", g.score.toFixed(2)], ["q-value", g.q.toExponential(2)], ["behaviours", g.behaviours],
     ["active", whenIso(g.first) + " to " + whenIso(g.last) +
      (zone === "UTC" ? "" : " (" + zoneName() + ")")]].forEach(function (f) {
      facts.appendChild(el("span", f[0] + ": " + f[1])); });
    drawMembers(id);
    contentKind = "";
    drawContent(id);
    drawKeys(id);
    drawSignals(g);
    timeline(id);
    heatmap(id);
    evidenceRows = data.evidence.filter(function (r) { return r[0] === id; });
    var note = "Showing " + evidenceRows.length.toLocaleString() + " co-actions of this group";
    if (data.evidence.length < data.evidence_total) {
      note += " (to keep the page light it holds the earliest " +
        data.evidence.length.toLocaleString() + " of " + data.evidence_total.toLocaleString() +
        " evidence rows, shared out among the groups; evidence.csv has them all, with post links)";
    }
    document.getElementById("evidence-note").textContent = note + ", 25 per page.";
    document.getElementById("evidence-search").value = "";
    filterEvidence();
    if (cy && !fromNetwork) {
      cy.nodes().unselect();
      cy.nodes().filter(function (n) { return n.data("group") === id; }).select();
    }
    if (!fromNetwork) document.getElementById("group-detail").scrollIntoView();
  }
  function drawMembers(id) {
    var tbody = document.querySelector("#member-table tbody");
    tbody.textContent = "";
    members(id).forEach(function (a) {
      var account = data.accounts[a], row = el("tr");
      cell(row, a + (handle(a) !== a ? " (" + handle(a) + ")" : ""));
      cell(row, account.n || "");
      cell(row, (account.c || "").slice(0, 10));
      cell(row, account.k === undefined ? "" : account.k.toLocaleString());
      cell(row, String(account.s));
      cell(row, [account.w, account.z].filter(function (x) { return x; }).join("; "));
      cell(row, account.u ? safeLink(account.u, "profile") : "");
      row.addEventListener("click", function (evt) {
        if (evt.target.tagName !== "A") showAccount(a, account, true);
      });
      tbody.appendChild(row);
    });
  }
  function drawContent(id) {
    var rows = data.content[id] || [], kinds = {};
    rows.forEach(function (r) { kinds[r[0]] = (kinds[r[0]] || 0) + 1; });
    var filter = document.getElementById("content-filter");
    filter.textContent = "";
    ["", "post", "account", "url", "domain", "hashtag", "text"].forEach(function (k) {
      if (k && !kinds[k]) return;
      var button = el("button", k ? k + "s (" + kinds[k] + ")" : "all (" + rows.length + ")");
      button.className = k === contentKind ? "on" : "";
      button.addEventListener("click", function () { contentKind = k; drawContent(id); });
      filter.appendChild(button);
    });
    var tbody = document.querySelector("#content-table tbody");
    tbody.textContent = "";
    rows.filter(function (r) { return !contentKind || r[0] === contentKind; }).forEach(function (r) {
      var row = el("tr");
      cell(row, r[0]);
      var label = r[0] === "account" ? handle(r[1]) : r[1];
      cell(row, r[6] ? safeLink(r[6], label) : label);
      cell(row, r[3].toLocaleString());
      cell(row, r[2].toLocaleString());
      cell(row, whenIso(r[4]));
      cell(row, whenIso(r[5]));
      cell(row, r[7]);
      tbody.appendChild(row);
    });
    if (!rows.length) {
      var empty = el("tr"), td = el("td", "Nothing two members shared.");
      td.colSpan = 7; empty.appendChild(td); tbody.appendChild(empty);
    }
  }
  function drawKeys(id) {
    var rows = data.keys[id] || [], tbody = document.querySelector("#key-table tbody");
    document.getElementById("keys-note").textContent = "What the members did together, one " +
      "row per item: how many of them acted on it and how close in time. " +
      (rows.length >= 300 ? "The page shows the 300 items most members shared; evidence_by_key.csv has all." : "");
    tbody.textContent = "";
    rows.forEach(function (r) {
      var row = el("tr");
      cell(row, r[0]);
      var item = el("td");
      item.appendChild(r[9] ? safeLink(r[9], r[1]) : r[0] === "co-url" || r[0] === "co-domain" ?
                       safeLink(r[1]) : document.createTextNode(r[1]));
      row.appendChild(item);
      var what = el("td");
      what.appendChild(el("div", r[2]));
      var names = r[7].map(function (i) { return handle(acc(i)); });
      var more = r[3] > names.length ? " and " + (r[3] - names.length) + " more" : "";
      if (names.length <= 8) {
        what.appendChild(el("div", names.join(", ") + more, "muted small"));
      } else {  // a long list folds away
        var all = el("details", null, "muted small");
        all.appendChild(el("summary", names.slice(0, 6).join(", ") + " … (all " + r[3] + ")"));
        all.appendChild(el("div", names.join(", ") + more));
        what.appendChild(all);
      }
      var links = el("div", null, "small");
      r[8].forEach(function (link, k) {
        if (k) links.appendChild(document.createTextNode(" · "));
        links.appendChild(safeLink(link, "post " + (k + 1)));
      });
      what.appendChild(links);
      row.appendChild(what);
      timeCell(row, r[5]);
      cell(row, r[3].toLocaleString());
      cell(row, r[4].toLocaleString());
      tbody.appendChild(row);
    });
  }
  function timeline(id) {
    var box = document.getElementById("timeline");
    box.textContent = "";
    if (plot) { plot.destroy(); plot = null; }
    var a = data.activity[id];
    if (!a || typeof uPlot === "undefined") return;
    var bursts = data.bursts[id] || {};
    var co = a.hours.map(function (h) { return bursts[String(h)] || 0; });
    plot = new uPlot({
      width: Math.min(1150, box.clientWidth || 900), height: 220,
      tzDate: function (ts) { return zone === "UTC" ? uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC") : new Date(ts * 1e3); },
      series: [{ label: "time (" + zoneName() + ")" },
               { label: "posts per hour", stroke: "#1f77b4", scale: "posts" },
               { label: "co-actions per hour", stroke: "#d62728", scale: "co" }],
      axes: [{ label: zoneName() }, { scale: "posts", label: "posts" },
             { scale: "co", side: 1, label: "co-actions", grid: { show: false } }],
      scales: { x: { time: true } }
    }, [a.hours, a.posts, co], box);
  }
  function heatmap(id) {
    var box = document.getElementById("heatmap"), week = data.week[id];
    box.textContent = "";
    if (!week) return;
    var max = 1;
    week.forEach(function (row) { row.forEach(function (v) { max = Math.max(max, v); }); });
    var table = el("table"), head = el("tr");
    head.appendChild(el("th", ""));
    for (var h = 0; h < 24; h++) head.appendChild(el("th", h));
    table.appendChild(head);
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].forEach(function (day, d) {
      var row = el("tr");
      row.appendChild(el("th", day));
      week[d].forEach(function (v, hour) {
        var td = el("td");
        td.style.background = "rgba(31,119,180," + (v / max).toFixed(3) + ")";
        td.title = day + " " + hour + ":00 UTC: " + v + " posts";
        row.appendChild(td);
      });
      table.appendChild(row);
    });
    box.appendChild(table);
  }
  function filterEvidence() {
    var needle = document.getElementById("evidence-search").value.toLowerCase();
    evidenceView = !needle ? evidenceRows.slice() : evidenceRows.filter(function (r) {
      return [str(r[1]), acc(r[2]), acc(r[3]), handle(acc(r[2])), handle(acc(r[3])), str(r[4]),
              str(r[7]), str(r[8])]
        .some(function (v) { return String(v).toLowerCase().indexOf(needle) >= 0; });
    });
    sortEvidence();
  }
  function value(r, col) {
    if (col === 1 || col === 4 || col === 7 || col === 8) return str(r[col]);
    if (col === 2 || col === 3) return handle(acc(r[col]));
    return r[col];
  }
  function sortEvidence() {
    evidenceView.sort(function (x, y) {
      var a = value(x, sortCol), b = value(y, sortCol);
      return (a < b ? -1 : a > b ? 1 : 0) * sortDir;
    });
    document.querySelectorAll("#evidence-table th").forEach(function (th) {
      th.classList.toggle("sorted-asc", Number(th.dataset.col) === sortCol && sortDir === 1);
      th.classList.toggle("sorted-desc", Number(th.dataset.col) === sortCol && sortDir === -1);
    });
    page = 0;
    drawEvidence();
  }
  function postCell(row, text, link) {
    var td = el("td");
    td.appendChild(el("div", text));
    if (link) td.appendChild(safeLink(link, "open the post"));
    row.appendChild(td);
  }
  function drawEvidence() {
    var tbody = document.querySelector("#evidence-table tbody");
    tbody.textContent = "";
    evidenceView.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) {
      var row = el("tr");
      var behaviour = str(r[1]);
      cell(row, behaviour);
      cell(row, handle(acc(r[2])));
      cell(row, handle(acc(r[3])));
      cell(row, behaviour === "co-url" || behaviour === "co-domain" ?
                safeLink(str(r[4])) : str(r[4]));
      timeCell(row, r[5]);
      cell(row, gap(r[6]));
      postCell(row, str(r[7]), str(r[9]));
      postCell(row, str(r[8]), str(r[10]));
      tbody.appendChild(row);
    });
    var pages = document.getElementById("evidence-pages"), count = Math.ceil(evidenceView.length / PAGE);
    pages.textContent = "";
    if (count > 1) {
      var prev = el("button", "previous"), next = el("button", "next");
      prev.disabled = page === 0; next.disabled = page >= count - 1;
      prev.addEventListener("click", function () { page--; drawEvidence(); });
      next.addEventListener("click", function () { page++; drawEvidence(); });
      pages.appendChild(prev); pages.appendChild(next);
      pages.appendChild(el("span", " page " + (page + 1) + " of " + count + " (" +
        evidenceView.length.toLocaleString() + " rows)"));
    }
  }
  document.getElementById("evidence-search").addEventListener("input", filterEvidence);
  document.querySelectorAll("#evidence-table th").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = Number(th.dataset.col);
      sortDir = col === sortCol ? -sortDir : 1;
      sortCol = col;
      sortEvidence();
    });
  });

  /* exports of the selected group, built from the page's data */
  var EXPORTS = {
    members: function (id) {
      return ["members.csv", ["group_id", "account_id", "handle", "display_name", "created_at",
        "posts", "score", "marks", "in_group_schedule", "profile_url"], members(id).map(function (a) {
          var x = data.accounts[a];
          return [id, a, x.h || "", x.n || "", x.c || "", x.k, x.s, x.w || "", x.z || "", x.u || ""];
        })];
    },
    content: function (id) {
      return ["group_content.csv", ["group_id", "kind", "item", "uses", "members", "first_seen",
        "last_seen", "link", "example_text"], (data.content[id] || []).map(function (r) {
          return [id, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]]; })];
    },
    keys: function (id) {
      return ["evidence_by_key.csv", ["group_id", "behaviour", "key", "what", "accounts", "posts",
        "first_time", "span_s", "account_ids", "example_links"], (data.keys[id] || []).map(function (r) {
          return [id, r[0], r[1], r[2], r[3], r[4], r[5] === null ? "" : new Date(r[5] * 1000).toISOString(),
                  r[6], r[7].map(acc).join(";"), r[8].join(" ")]; })];
    },
    pairs: function (id) {
      return ["evidence.csv", ["group_id", "behaviour", "account_a", "account_b", "key", "time_a",
        "dt_s", "post_url_a", "post_url_b", "text_a", "text_b"],
        data.evidence.filter(function (r) { return r[0] === id; }).map(function (r) {
          return [id, str(r[1]), acc(r[2]), acc(r[3]), str(r[4]), new Date(r[5] * 1000).toISOString(),
                  r[6], str(r[9]), str(r[10]), str(r[7]), str(r[8])]; })];
    }
  };
  var ID_COLUMNS = ["group_id", "account_id", "account_a", "account_b", "account_ids"];
  document.querySelectorAll("#group-downloads button").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!selected) return;
      var made = EXPORTS[button.dataset.export](selected);
      download(selected + "-" + made[0], made[1], made[2], ID_COLUMNS);
    });
  });

  /* operations: the table, a map of the pieces, and one column's story */
  var KIND_COLOUR = { persona: "#d62728", group: "#1f77b4", amplifier: "#9467bd", other: "#aaa" };
  var KIND_WORDS = { persona: "account presenting as the byline", group: "group member",
                     amplifier: "pushes the bylines far beyond chance (in no group)",
                     other: "anyone else" };
  var operationMap = null;
  function opHandle(op, id) {
    if (data.accounts[id]) return handle(id);
    var h = op.handles[id];
    return h && h !== id && !looksHashed(h) ? "@" + h : handle(id);
  }
  function showOperation(id) {
    var op = null;
    (data.operations || []).forEach(function (o) { if (o.id === id) op = o; });
    if (!op) return;
    document.getElementById("operation-body").hidden = false;
    document.getElementById("operation-title").textContent = op.id + ": " + op.summary;
    var legend = document.getElementById("operation-legend");
    legend.textContent = "";
    [["group", "#1f77b4", "group of accounts"], ["byline", "#ff7f0e", "byline"],
     ["persona", "#d62728", "account presenting as a byline"], ["outlet", "#2ca02c", "outlet"]
    ].forEach(function (k) {
      var item = el("span", "", "legend-item");
      var dot = el("span", "", "legend-dot"); dot.style.background = k[1];
      item.appendChild(dot); item.appendChild(document.createTextNode(" " + k[2]));
      legend.appendChild(item);
    });
    var elements = [], column = { group: 0, byline: 1, persona: 2, outlet: 3 }, rows = {};
    var used = {};  /* column:row taken */
    function node(kind, key, label, near) {
      var id = kind + ":" + key;
      if (rows[id] !== undefined) return id;
      /* a persona or an outlet sits level with its byline when the place is free */
      var n = near !== undefined && rows[near] !== undefined ? rows[near] : 0;
      while (used[kind + ":" + n]) n++;
      used[kind + ":" + n] = true;
      rows[id] = n;
      elements.push({ group: "nodes", data: { id: id, label: label, kind: kind },
                      position: { x: column[kind] * 220, y: n * 70 } });
      return id;
    }
    function edge(a, b, label) {
      elements.push({ group: "edges", data: { id: "e" + elements.length, source: a, target: b,
                                              label: label || "" } });
    }
    op.bylines.forEach(function (b) { node("byline", b, b); });
    op.links.forEach(function (l) {
      edge(node("group", l[1], l[1] + " (" + l[2] + " members sharing)", "byline:" + l[0]),
           "byline:" + l[0], "q=" + Number(l[4]).toExponential(1));
    });
    op.personas.forEach(function (p) {
      edge(node("persona", p[0], p[1] + " (" + opHandle(op, p[0]) + ")", "byline:" + p[2]),
           node("byline", p[2], p[2]), "first on " + p[3] + " of " + p[4]);
    });
    op.bylines.forEach(function (b) {
      (op.outlets[b] || []).forEach(function (o) {
        edge("byline:" + b, node("outlet", o, o, "byline:" + b)); });
    });
    if (typeof cytoscape !== "undefined") {
      if (operationMap) operationMap.destroy();
      operationMap = cytoscape({
        container: document.getElementById("operation-map"), elements: elements,
        layout: { name: "preset" }, userZoomingEnabled: false,
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 10, width: 14, height: 14,
            "text-valign": "bottom", "text-margin-y": 3 } },
          { selector: "node[kind = 'group']", style: { "background-color": "#1f77b4", shape: "round-rectangle" } },
          { selector: "node[kind = 'byline']", style: { "background-color": "#ff7f0e" } },
          { selector: "node[kind = 'persona']", style: { "background-color": "#d62728", shape: "diamond" } },
          { selector: "node[kind = 'outlet']", style: { "background-color": "#2ca02c", shape: "square" } },
          { selector: "edge", style: { width: 1.5, "line-color": "#999", label: "data(label)",
            "font-size": 8, color: "#555", "curve-style": "bezier" } }
        ]
      });
      operationMap.fit(undefined, 30);
    }
    var story = document.getElementById("story"), note = document.getElementById("story-note");
    story.textContent = "";
    if (!op.story) { note.textContent = "No share of its columns is in the data."; return; }
    note.textContent = "'" + op.story.title + "' by " + op.story.byline + ", published " +
      whenIso(op.story.published) + ". Each dot is a post sharing it, placed by its delay after " +
      "publication (log scale); hover for who posted it.";
    if (op.story.url) story.appendChild(safeLink(op.story.url, "open the column"));
    var strip = el("div", "", "story-strip"), maxDelay = 1;
    op.story.events.forEach(function (e) { if (e[0] > maxDelay) maxDelay = e[0]; });
    function position(delay) {
      return 100 * Math.log(1 + Math.max(0, delay) / 60) / Math.log(1 + maxDelay / 60);
    }
    strip.appendChild(el("span", "published", "story-start"));
    op.story.events.forEach(function (e) {
      var dot = el("span", "", "story-dot story-" + e[2]);
      dot.style.left = position(e[0]) + "%";
      dot.style.background = KIND_COLOUR[e[2]];
      dot.title = gap(e[0]) + " after publication: " + opHandle(op, e[1]) + " (" +
        KIND_WORDS[e[2]] + (e[3] ? ", in " + e[3] : "") + ")";
      strip.appendChild(dot);
    });
    story.appendChild(strip);
    var list = el("table", "", "story-list"), head = el("tr");
    ["after publication", "account", "who", "post"].forEach(function (h) { head.appendChild(el("th", h)); });
    list.appendChild(head);
    op.story.events.slice(0, 25).forEach(function (e) {
      var tr = el("tr");
      tr.appendChild(el("td", gap(e[0])));
      tr.appendChild(el("td", opHandle(op, e[1])));
      tr.appendChild(el("td", KIND_WORDS[e[2]] + (e[3] ? ", in " + e[3] : "")));
      var td = el("td"); if (e[4]) td.appendChild(safeLink(e[4], "post")); tr.appendChild(td);
      list.appendChild(tr);
    });
    story.appendChild(list);
    var links = document.querySelector("#link-table tbody");
    links.textContent = "";
    op.links.forEach(function (l) {
      var tr = el("tr");
      [l[0], l[1], l[2], l[3], Number(l[4]).toExponential(1), gap(l[5])].forEach(function (v) {
        tr.appendChild(el("td", v)); });
      links.appendChild(tr);
    });
  }
  (function operations() {
    var body = document.querySelector("#operation-table tbody"), ops = data.operations || [];
    if (!ops.length) {
      document.getElementById("operations-note").textContent = data.overview.manifest.operations ?
        "No operation: no group shares a byline beyond chance." :
        "No articles were among the inputs, so bylines were not tied to groups.";
      return;
    }
    ops.forEach(function (o) {
      var tr = el("tr");
      tr.appendChild(el("td", o.id));
      tr.appendChild(el("td", o.accounts));
      tr.appendChild(el("td", o.bylines.join("; ")));
      tr.appendChild(el("td", o.summary));
      tr.addEventListener("click", function () { showOperation(o.id); });
      body.appendChild(tr);
    });
    showOperation(ops[0].id);
  })();

  /* same operator: each pair with both accounts' active spans as bars over the period */
  (function operators() {
    var found = data.operators, body = document.querySelector("#operator-table tbody");
    if (!found) {
      document.getElementById("operators-note").textContent = "The same-operator analysis was switched off for this run.";
      return;
    }
    if (!found.pairs.length) {
      document.getElementById("operators-note").textContent = "No pair of accounts is tied as one operator's (" +
        found.tests.toLocaleString() + " pairs tested).";
      return;
    }
    var start = found.period[0], span = Math.max(found.period[1] - start, 1);
    function bar(first, last) {
      var box = el("div", null, "span-bar"), fill = el("div", null, "span-fill");
      fill.style.marginLeft = (100 * (first - start) / span).toFixed(2) + "%";
      fill.style.width = Math.max(0.5, 100 * (last - first) / span).toFixed(2) + "%";
      box.title = when(first) + " to " + when(last);
      box.appendChild(fill);
      return box;
    }
    found.pairs.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("td", p[0]));
      tr.appendChild(el("td", p[1] + (p[2] ? " (" + p[2] + ")" : "")));
      var a = el("td"); a.appendChild(bar(p[3], p[4])); tr.appendChild(a);
      tr.appendChild(el("td", p[5] + (p[6] ? " (" + p[6] + ")" : "")));
      var b = el("td"); b.appendChild(bar(p[7], p[8])); tr.appendChild(b);
      tr.appendChild(el("td", Number(p[9]).toExponential(1)));
      tr.appendChild(el("td", p[10]));
      tr.appendChild(el("td", p[11]));
      body.appendChild(tr);
    });
  })();

  /* the time zone: UTC unless the reader asks for the browser's */
  document.getElementById("time-zone").addEventListener("change", function (evt) {
    zone = evt.target.value === "local" ? "local" : "UTC";
    document.getElementById("zone-label").textContent = "All times are " + zoneName() + ".";
    document.querySelectorAll(".zone-name").forEach(function (s) { s.textContent = "UTC"; });
    document.querySelectorAll("td[data-t]").forEach(function (td) {
      td.textContent = td.dataset.t ? when(Number(td.dataset.t)) : ""; });
    if (selected) showGroup(selected, true);
  });
  document.querySelectorAll("#evidence-table th[data-col='5']").forEach(function (th) { th.title = "time of the first post, in the zone chosen at the top"; });
  window.sockscopeReport = { showGroup: showGroup, showOperation: showOperation, showAccount: window.sockscopeShowAccount,
                             data: data, zone: function () { return zone; },
                             network: function () { return cy; }, ready: true };
})();
