/* sockscope bylines page: builds the page from the embedded JSON. Every string from the
   data is untrusted and only ever set with textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sockscope-data").textContent);
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el("td", c)); });
    return tr;
  }
  var clusterOf = {}, clusterNumber = {};
  data.bylines.forEach(function (b) {
    clusterOf[b.byline] = b.cluster_id;
    if (!(b.cluster_id in clusterNumber)) clusterNumber[b.cluster_id] = Object.keys(clusterNumber).length;
  });
  function colour(byline) { return PALETTE[clusterNumber[clusterOf[byline]] % PALETTE.length]; }

  /* overview */
  var m = data.overview.manifest, counts = m.counts || {};
  var body = document.getElementById("overview-body");
  var several = data.bylines.filter(function (b) { return b.hands > 1; }).length;
  var shared = data.pairs.filter(function (p) { return p.decision === "same"; }).length;
  body.appendChild(el("p", (counts.articles || 0).toLocaleString() + " articles under " +
    (counts.bylines || 0).toLocaleString() + " bylines; " + shared.toLocaleString() +
    " byline pairs likely share a writer; " + several.toLocaleString() +
    " bylines look written by several hands; " + (counts.passages || 0).toLocaleString() +
    " reused passages."));
  (m.notes || []).forEach(function (note) { body.appendChild(el("p", "Note: " + note, "muted")); });

  /* bylines table with search */
  var tbody = document.querySelector("#byline-table tbody");
  function drawBylines(filter) {
    tbody.textContent = "";
    data.bylines.forEach(function (b) {
      if (filter && b.byline.toLowerCase().indexOf(filter) < 0) return;
      var hands = b.hands_p === null || b.hands_p === undefined ? String(b.hands) + " (not tested)"
        : String(b.hands) + " (p " + Number(b.hands_p).toFixed(3) + ")";
      tbody.appendChild(row([b.byline, b.articles, b.words, b.outlets, b.cluster_id, hands,
                             b.signals]));
    });
  }
  drawBylines("");
  document.getElementById("byline-search").addEventListener("input", function (e) {
    drawBylines(e.target.value.toLowerCase());
  });

  /* pairs */
  document.getElementById("pairs-note").textContent = "The " + data.pairs.length.toLocaleString() +
    " likeliest of " + data.pairs_total.toLocaleString() + " pairs compared.";
  var ptbody = document.querySelector("#pair-table tbody");
  data.pairs.slice(0, 500).forEach(function (p) {
    var votes = (p.agreeing || "—").split("|").join(", ") + " / " +
      (p.disagreeing || "—").split("|").join(", ");
    ptbody.appendChild(row([p.byline_a, p.byline_b, Number(p.same_writer).toFixed(2), p.decision,
                            votes, p.shared_passages, (p.together || []).join(", "),
                            (p.apart || []).join(", ")]));
  });

  /* passages side by side, one row per pair of articles */
  document.getElementById("passages-note").textContent = data.passages.length.toLocaleString() +
    " article pairs share passages (" + data.passages_total.toLocaleString() +
    " reused passage pairs in all; passages.parquet has every one).";
  var qtbody = document.querySelector("#passage-table tbody");
  data.passages.forEach(function (q) {
    var tr = el("tr");
    [[q.byline_a, q.title_a], [q.byline_b, q.title_b]].forEach(function (side) {
      var td = el("td");
      td.appendChild(el("div", side[0]));
      if (side[1]) td.appendChild(el("div", side[1], "muted"));
      tr.appendChild(td);
    });
    var shared = el("td");
    q.passages.forEach(function (p) {
      var block = el("div", null, "passage");
      block.appendChild(el("div", p[0]));
      if (p[1] !== p[0]) block.appendChild(el("div", p[1], "muted"));
      shared.appendChild(block);
    });
    tr.appendChild(el("td", q.passages.length));
    tr.appendChild(shared);
    qtbody.appendChild(tr);
  });

  /* a byline's articles, per hand */
  function articleList(name) {
    var box = el("div"), rows = (data.articles || {})[name] || [], hand = null, list = null;
    rows.forEach(function (a) {
      if (a[0] !== hand) {
        hand = a[0];
        box.appendChild(el("h5", "hand " + hand));
        list = el("ul");
        box.appendChild(list);
      }
      var item = el("li"), label = (a[1] || "untitled") + " — " + (a[2] || "?") + ", " + (a[3] || "undated");
      var url = null;
      try { url = a[4] ? new URL(a[4]) : null; } catch (e) { url = null; }
      if (url && (url.protocol === "http:" || url.protocol === "https:")) {
        var link = el("a", label);
        link.href = url.href; link.rel = "noopener noreferrer"; link.target = "_blank";
        item.appendChild(link);
      } else {
        item.textContent = label;
      }
      list.appendChild(item);
    });
    return box;
  }

  /* map */
  var detail = document.getElementById("byline-detail");
  function showByline(name) {
    detail.textContent = "";
    detail.className = "";
    detail.appendChild(el("h4", name));
    var closest = data.pairs.filter(function (p) { return p.byline_a === name || p.byline_b === name; })
      .slice(0, 8);
    var list = el("ul");
    closest.forEach(function (p) {
      var other = p.byline_a === name ? p.byline_b : p.byline_a;
      list.appendChild(el("li", other + ": " + Number(p.same_writer).toFixed(2) + " (" + p.decision + ")"));
    });
    if (!closest.length) list.appendChild(el("li", "no byline compared"));
    detail.appendChild(list);
    detail.appendChild(el("p", "Its articles, by the hand that wrote them:"));
    detail.appendChild(articleList(name));
  }
  window.sockscopeBylines = { showByline: showByline, data: data, ready: false };
  var nodes = data.map.nodes.map(function (n, i) {
    return { data: { id: "n" + i, name: n[0] }, position: { x: n[1], y: n[2] } };
  });
  var edges = data.map.links.map(function (l, i) {
    return { data: { id: "e" + i, source: nodes[l[0]].data.id, target: nodes[l[1]].data.id, w: l[2] } };
  });
  if (typeof cytoscape === "function" && nodes.length) {
    var cy = cytoscape({
      container: document.getElementById("network"), elements: nodes.concat(edges),
      layout: { name: "preset" }, wheelSensitivity: 0.2,
      style: [
        { selector: "node", style: { "background-color": function (n) { return colour(n.data("name")); },
          "label": "data(name)", "font-size": 9, "width": 10, "height": 10 } },
        { selector: "edge", style: { "width": function (e) { return 1 + 3 * e.data("w"); },
          "line-color": "#999", "opacity": 0.6 } }
      ]
    });
    cy.on("tap", "node", function (evt) { showByline(evt.target.data("name")); });
  }
  window.sockscopeBylines.ready = true;
})();
