/* sockscope report: builds the page from the embedded JSON.
   Every string from the data is untrusted: it is only ever set with textContent,
   and links are made only for http(s) URLs, with rel="noopener noreferrer". */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sockscope-data").textContent);
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"];
  var groupIndex = {};
  data.groups.forEach(function (g, i) { groupIndex[g.id] = i; });
  function colour(group) { return PALETTE[(groupIndex[group] || 0) % PALETTE.length]; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function str(i) { return i >= 0 ? data.strings[i] : ""; }
  function handle(id) { var a = data.accounts[id]; return a && a.h ? "@" + a.h : id; }
  /* evidence rows refer to accounts by their index in data.account_ids */
  function acc(i) { return i >= 0 ? data.account_ids[i] : ""; }
  function when(seconds) { return new Date(seconds * 1000).toISOString().replace(".000Z", "Z"); }
  function safeLink(text) {
    var url = null;
    try { url = new URL(text); } catch (e) { url = null; }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) return el("span", text);
    var a = el("a", text);
    a.href = url.href;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }

  /* overview */
  (function overview() {
    var o = data.overview, body = document.getElementById("overview-body");
    var m = o.manifest, counts = m.counts || {};
    var facts = el("p");
    facts.textContent = o.posts.toLocaleString() + " posts by " + o.accounts.toLocaleString() +
      " accounts, " + (o.first || "?") + " to " + (o.last || "?") + ". " +
      (counts.flagged || 0).toLocaleString() + " accounts flagged in " +
      (counts.groups || 0).toLocaleString() + " groups; " +
      (counts.edges || 0).toLocaleString() + " significant links at FDR " +
      ((m.parameters || {}).fdr) + ".";
    body.appendChild(facts);
    var table = el("table"), head = el("tr");
    ["input", "format", "rows read", "kept", "skipped", "why skipped"].forEach(function (h) {
      head.appendChild(el("th", h)); });
    table.appendChild(head);
    o.inputs.forEach(function (input) {
      var row = el("tr");
      row.appendChild(el("td", input.path));
      row.appendChild(el("td", input.format));
      row.appendChild(el("td", input.read.toLocaleString()));
      row.appendChild(el("td", input.kept.toLocaleString()));
      row.appendChild(el("td", input.skipped.toLocaleString()));
      row.appendChild(el("td", input.reasons.map(function (r) {
        return r.count + " " + r.reason + (r.field ? " [" + r.field + "]" : ""); }).join("; ")));
      table.appendChild(row);
    });
    body.appendChild(table);
    var p = m.parameters || {};
    body.appendChild(el("p", "Behaviours: " + (p.traces || []).join(", ") + ". Windows (s): " +
      Object.keys(m.windows_s || {}).map(function (k) { return k + " " + m.windows_s[k]; })
        .join(", ") + ". Seed " + p.seed + "."));
    (m.notes || []).forEach(function (note) { body.appendChild(el("p", "Note: " + note, "muted")); });
  })();

  /* an account's dossier: its marks and strongest ties (all text via textContent) */
  function showAccount(id, account) {
    var detail = document.getElementById("account-detail");
    detail.textContent = "";
    detail.className = "";
    detail.appendChild(el("h4", "Account " + id + (account.h ? " (@" + account.h + ")" : "")));
    detail.appendChild(el("p", "Group " + account.g + ", score " + account.s + "."));
    var marks = (account.p || "").split(";").filter(function (m) { return m; });
    var list = el("ul");
    marks.forEach(function (m) { list.appendChild(el("li", m)); });
    if (!marks.length) list.appendChild(el("li", "no persona marks"));
    detail.appendChild(el("p", "Persona marks:"));
    detail.appendChild(list);
    var ties = account.t || [];
    if (ties.length) {
      var table = el("table"), head = el("tr");
      ["tied to", "behaviour", "weight", "q"].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(head);
      ties.forEach(function (t) {
        var other = data.accounts[t[0]] || {}, row = el("tr");
        row.appendChild(el("td", t[0] + (other.h ? " (@" + other.h + ")" : "")));
        row.appendChild(el("td", t[1]));
        row.appendChild(el("td", String(t[2])));
        row.appendChild(el("td", String(t[3])));
        table.appendChild(row);
      });
      detail.appendChild(el("p", "Strongest ties:"));
      detail.appendChild(table);
    }
  }
  window.sockscopeShowAccount = function (id) { showAccount(id, data.accounts[id] || {}); };

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
      row.appendChild(el("td", m[1]));
      row.appendChild(el("td", m[2]));
      row.appendChild(el("td", m[3]));
      var floors = data.persona_floors || {};
      if (parseFloat(m[3]) < data.persona_significant && parseFloat(m[2]) >= (floors[m[1]] || 0)) {
        row.className = "shows";
      }
      table.appendChild(row);
    });
    box.appendChild(table);
  }

  /* group list */
  var selected = null;
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
      row.appendChild(el("td", g.size));
      row.appendChild(el("td", g.score.toFixed(2)));
      row.appendChild(el("td", g.p.toExponential(1)));
      row.appendChild(el("td", g.summary));
      row.addEventListener("click", function () { showGroup(g.id); });
      tbody.appendChild(row);
    });
    if (!data.groups.length) {
      var empty = el("tr"), cell = el("td", "No coordinated group was found.");
      cell.colSpan = 5; empty.appendChild(cell); tbody.appendChild(empty);
    }
  })();

  /* network */
  var cy = null;
  (function network() {
    var net = data.network;
    document.getElementById("network-note").textContent = net.shown < net.flagged ?
      "Showing the " + net.shown.toLocaleString() + " highest-scoring of " +
      net.flagged.toLocaleString() + " flagged accounts." :
      net.flagged.toLocaleString() + " flagged accounts. Scroll to zoom, drag to pan.";
    if (net.edges.length < net.edges_total) {
      document.getElementById("network-note").textContent += " Drawing the " +
        net.edges.length.toLocaleString() + " strongest of " + net.edges_total.toLocaleString() +
        " links.";
    }
    var elements = net.nodes.map(function (n) {
      var account = data.accounts[n[0]] || {};
      return { group: "nodes", data: { id: "n" + n[0], account: n[0], label: handle(n[0]),
               group: account.g, colour: colour(account.g) }, position: { x: n[1], y: n[2] } };
    });
    var behaviours = {};
    net.edges.forEach(function (e, i) {
      e[3].split(";").forEach(function (b) { behaviours[b] = true; });
      elements.push({ group: "edges", data: { id: "e" + i, source: "n" + net.nodes[e[0]][0],
        target: "n" + net.nodes[e[1]][0], weight: e[2], behaviours: e[3] } });
    });
    if (typeof cytoscape === "undefined") return;
    cy = cytoscape({
      container: document.getElementById("network"), elements: elements,
      layout: { name: "preset" }, minZoom: 0.05, maxZoom: 8, textureOnViewport: true,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", width: 8, height: 8 } },
        { selector: "edge", style: { width: 0.6, "line-color": "#bbb", opacity: 0.6 } },
        { selector: "node:selected", style: { "border-width": 2, "border-color": "#000" } }
      ]
    });
    var tooltip = document.getElementById("tooltip");
    cy.on("mouseover", "node", function (evt) {
      tooltip.textContent = evt.target.data("label") + " (" + evt.target.data("group") + ")";
      tooltip.hidden = false;
    });
    cy.on("mousemove", function (evt) {
      var e = evt.originalEvent; if (!e) return;
      tooltip.style.left = (e.clientX + 12) + "px"; tooltip.style.top = (e.clientY + 12) + "px";
    });
    cy.on("mouseout", "node", function () { tooltip.hidden = true; });
    cy.on("tap", "node", function (evt) {
      var id = evt.target.data("account"), account = data.accounts[id] || {};
      showAccount(id, account);
      if (account.g) showGroup(account.g, true);
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
  var evidenceRows = [], evidenceView = [], page = 0, sortCol = 5, sortDir = 1;
  var PAGE = 25, plot = null;
  function showGroup(id, keepNetwork) {
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
    [["score", g.score.toFixed(2)], ["q", g.p.toExponential(2)], ["behaviours", g.behaviours],
     ["active", (g.first || "") + " to " + (g.last || "")]].forEach(function (f) {
      facts.appendChild(el("span", f[0] + ": " + f[1])); });
    drawSignals(g);
    timeline(id);
    heatmap(id);
    evidenceRows = data.evidence.filter(function (r) { return r[0] === id; });
    var note = "Showing " + evidenceRows.length.toLocaleString() + " co-actions of this group";
    if (data.evidence.length < data.evidence_total) {
      note += " (to keep the page light it holds the earliest " +
        data.evidence.length.toLocaleString() + " of " + data.evidence_total.toLocaleString() +
        " evidence rows, shared out among the groups; evidence.parquet has them all)";
    }
    document.getElementById("evidence-note").textContent = note + ", 25 per page.";
    document.getElementById("evidence-search").value = "";
    filterEvidence();
    if (cy && !keepNetwork) {
      cy.nodes().unselect();
      cy.nodes().filter(function (n) { return n.data("group") === id; }).select();
    }
    document.getElementById("group-detail").scrollIntoView();
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
      series: [{}, { label: "posts per hour", stroke: "#1f77b4", scale: "posts" },
               { label: "co-actions per hour", stroke: "#d62728", scale: "co" }],
      axes: [{}, { scale: "posts", label: "posts" },
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
        var cell = el("td");
        cell.style.background = "rgba(31,119,180," + (v / max).toFixed(3) + ")";
        cell.title = day + " " + hour + ":00 UTC: " + v + " posts";
        row.appendChild(cell);
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
  function drawEvidence() {
    var tbody = document.querySelector("#evidence-table tbody");
    tbody.textContent = "";
    evidenceView.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) {
      var row = el("tr");
      var behaviour = str(r[1]);
      row.appendChild(el("td", behaviour));
      row.appendChild(el("td", handle(acc(r[2]))));
      row.appendChild(el("td", handle(acc(r[3]))));
      var key = el("td");
      key.appendChild(behaviour === "co-url" || behaviour === "co-domain" ?
                      safeLink(str(r[4])) : document.createTextNode(str(r[4])));
      row.appendChild(key);
      row.appendChild(el("td", when(r[5])));
      row.appendChild(el("td", r[6]));
      row.appendChild(el("td", str(r[7])));
      row.appendChild(el("td", str(r[8])));
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
  window.sockscopeReport = { showGroup: showGroup, showAccount: window.sockscopeShowAccount, data: data, ready: true };
})();
