/* The graph view: draws the embedded vis-network data, shows tooltips and a details panel,
   and (when served) expands a node in place from /view/data. Every name is set as text. */
(function () {
  "use strict";
  function embedded(id) { return JSON.parse(document.getElementById(id).textContent); }
  var data = embedded("graph-data");
  var options = embedded("graph-options");
  var server = embedded("graph-server");

  /* Tooltips arrive as HTML the server escaped; parse it inert, then hand vis an element. */
  function tooltip(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html;
    var box = document.createElement("div");
    box.appendChild(tpl.content);
    return box;
  }
  function prepare(items) {
    return items.map(function (item) {
      var copy = Object.assign({}, item);
      if (typeof copy.title === "string") { copy.title = tooltip(copy.title); }
      return copy;
    });
  }

  var nodes = new vis.DataSet(prepare(data.nodes));
  var edges = new vis.DataSet(prepare(data.edges));
  var container = document.getElementById("graph");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.govgraph = {network: network, nodes: nodes, edges: edges, data: data, ready: false};
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    window.govgraph.ready = true;
  });

  var panel = document.getElementById("details");
  var status = document.getElementById("status");

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function entityUrl(id) {
    return server.base + "/entity/" + encodeURIComponent(id).replace(/%3A/g, ":")
      .replace(/%2F/g, "/");
  }

  function viewUrl(id) {
    var params = new URLSearchParams(server.query);
    params.set("id", id);
    return server.base + "/view?" + params.toString();
  }

  function fact(list, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }

  function action(tag, text, primary) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (primary) { el.className = "primary"; }
    return el;
  }

  function show(id) {
    var node = nodes.get(id);
    if (!node) { return; }
    var info = node.info;
    var chip = document.getElementById("d-type");
    chip.querySelector(".dot").style.background = node.color;
    chip.querySelector("span:last-child").textContent = info.type;
    document.getElementById("d-name").textContent = info.name;
    document.getElementById("d-id").textContent = info.id;
    var facts = document.getElementById("d-facts");
    facts.replaceChildren();
    if (info.aliases.length) { fact(facts, "aliases", info.aliases.join(", ")); }
    fact(facts, "links in view", String(network.getConnectedEdges(id).length));
    Object.keys(info.properties).forEach(function (k) { fact(facts, k, info.properties[k]); });
    Object.keys(info.scores).forEach(function (k) { fact(facts, k, info.scores[k]); });
    var actions = document.getElementById("d-actions");
    actions.replaceChildren();
    if (server) {
      var open = action("a", "Open entity page", true);
      open.href = entityUrl(id);
      var expandButton = action("button", "Expand neighbours");
      expandButton.type = "button";
      expandButton.addEventListener("click", function () { expand(id); });
      var centre = action("a", "Centre view here");
      centre.href = viewUrl(id);
      actions.append(open, expandButton, centre);
    }
    panel.hidden = false;
  }

  function expand(id) {
    if (!server) { return; }
    var params = new URLSearchParams(server.query);
    params.set("id", id);
    params.set("depth", "1");
    say("expanding…");
    fetch(server.base + "/view/data?" + params.toString())
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.error || r.statusText); }
          return body;
        });
      })
      .then(function (body) {
        var origin = network.getPosition(id);
        var fresh = prepare(body.nodes).filter(function (n) { return !nodes.get(n.id); });
        fresh.forEach(function (n) {
          n.x = origin.x + (Math.random() - 0.5) * 120;
          n.y = origin.y + (Math.random() - 0.5) * 120;
        });
        nodes.add(fresh);
        edges.update(prepare(body.edges));
        network.setOptions({physics: {enabled: true}});
        network.stabilize(150);
        say(fresh.length + " node(s) added" + (body.truncated ? " (capped)" : ""));
      })
      .catch(function (err) { say("could not expand: " + err.message); });
  }

  network.on("click", function (params) {
    if (params.nodes.length) { show(params.nodes[0]); } else { panel.hidden = true; }
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { expand(params.nodes[0]); }
  });
  panel.querySelector(".close").addEventListener("click", function () { panel.hidden = true; });
})();
