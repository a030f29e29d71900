// The EventEngine dashboard page: reads api/state once, then follows api/stream (Server-Sent Events).
// Plain DOM and SVG, no library and no build step.
"use strict";
const base = location.pathname.replace(/\/$/, "");
const token = new URLSearchParams(location.search).get("token");
const query = token ? "?token=" + encodeURIComponent(token) : "";
const svgNs = "http://www.w3.org/2000/svg";

function el(name, attrs, text) {
  const node = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const rate = r => (r >= 100 ? r.toFixed(0) : r.toFixed(1)) + "/s";

function pluginClass(p) {
  const c = ["node", "plugin", p.kind, p.state];
  if (p.paused) c.push("paused");
  if (p.restartRate > 0) c.push("storm");
  return c.join(" ");
}

function drawGraph(s) {
  const svg = document.getElementById("graph");
  svg.replaceChildren();
  const rowH = 70, top = 40, pluginX = 150, typeX = 560, w = 150, h = 38;
  const rows = Math.max(s.plugins.length, s.eventTypes.length, 1);
  svg.setAttribute("viewBox", `0 0 720 ${top + rows * rowH}`);
  svg.setAttribute("height", top + rows * rowH);
  const defs = el("defs");
  for (const kind of ["publish", "subscribe"]) {
    const m = el("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    m.append(el("path", { d: "M0,0 L10,5 L0,10 z", fill: kind === "publish" ? "#3367d6" : "#2e8b57" }));
    defs.append(m);
  }
  svg.append(defs);
  const pos = {};
  const spread = (n, i) => top + (rows - n) * rowH / 2 + i * rowH + rowH / 2 - 10;
  s.plugins.forEach((p, i) => pos["p:" + p.name] = { x: pluginX, y: spread(s.plugins.length, i) });
  s.eventTypes.forEach((t, i) => pos["t:" + t.name] = { x: typeX, y: spread(s.eventTypes.length, i) });
  svg.append(el("text", { x: pluginX, y: 18, "text-anchor": "middle", class: "sub" }, "plugins"));
  svg.append(el("text", { x: typeX, y: 18, "text-anchor": "middle", class: "sub" }, "event types"));

  for (const e of s.edges) {
    const publish = e.kind === "publish";
    const a = pos[(publish ? "p:" : "t:") + e.from], b = pos[(publish ? "t:" : "p:") + e.to];
    if (!a || !b) continue;
    // publish edges run plugin → type above the straight line, subscribe edges type → plugin below it
    const x1 = publish ? a.x + w / 2 : a.x - 78, x2 = publish ? b.x - 78 : b.x + w / 2;
    const bend = publish ? -28 : 28, mx = (x1 + x2) / 2, my = (a.y + b.y) / 2 + bend;
    const g = el("g", { class: `edge ${e.kind}${e.rate > 0 ? " active" : ""}`, "data-from": e.from, "data-to": e.to, "data-kind": e.kind, "data-rate": e.rate.toFixed(2) });
    g.append(el("path", { d: `M${x1},${a.y + bend / 4} Q${mx},${my} ${x2},${b.y + bend / 4}`, "marker-end": `url(#arrow-${e.kind})` }));
    g.append(el("text", { x: mx, y: (a.y + b.y) / 2 + bend / 2 + 4, "text-anchor": "middle" }, rate(e.rate)));
    const title = el("title", {}, `${e.from} ${publish ? "publishes" : "→"} ${e.to}: ${rate(e.rate)}, ${e.total} so far`);
    g.append(title);
    svg.append(g);
  }
  for (const p of s.plugins) {
    const { x, y } = pos["p:" + p.name];
    const g = el("g", { class: pluginClass(p), "data-name": p.name, "data-state": p.state });
    g.append(el("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 6 }));
    g.append(el("text", { x, y: y - 6 }, p.name));
    g.append(el("text", { x, y: y + 10, class: "sub" }, `${p.kind} · ${p.state}${p.paused ? " · paused" : ""}${p.restarts ? " · " + p.restarts + " restarts" : ""}`));
    svg.append(g);
  }
  for (const t of s.eventTypes) {
    const { x, y } = pos["t:" + t.name];
    const g = el("g", { class: "node type", "data-name": t.name });
    g.append(el("ellipse", { cx: x, cy: y, rx: 78, ry: 24 }));
    g.append(el("text", { x, y: y - 5 }, t.name));
    g.append(el("text", { x, y: y + 10, class: "sub" }, `${t.codec} · ${rate(t.publishRate)}`));
    svg.append(g);
  }
}

function fillTable(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  for (const { cells, cls } of rows) {
    const tr = document.createElement("tr");
    if (cls) tr.className = cls;
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      if (typeof c === "number") td.className = "num";
      tr.append(td);
    }
    body.append(tr);
  }
}

function render(s) {
  document.getElementById("engine").textContent = `${s.engine} · ${s.state}`;
  document.getElementById("time").textContent = new Date(s.time).toLocaleTimeString();
  drawGraph(s);
  fillTable("plugins", s.plugins.map(p => ({
    cells: [p.name, p.kind, p.node, p.state, p.restarts, p.poison, p.queueDepth, p.paused ? "yes" : ""],
    cls: ["stopped", "disconnected"].includes(p.state) || p.restartRate > 0 ? "bad" : p.paused ? "warn" : "",
  })));
  fillTable("types", s.eventTypes.map(t => ({
    cells: [t.name, t.filter, t.codec, t.publishRate.toFixed(1), t.deliverRate.toFixed(1), t.undecodableRate.toFixed(1), t.published, t.delivered],
    cls: t.undecodableRate > 0 ? "bad" : "",
  })));
  fillTable("drops", Object.entries(s.drops).map(([reason, n]) => ({ cells: [reason, n], cls: n > 0 ? "warn" : "" })));
  document.getElementById("wire").textContent = s.wireSubscribers.length ? s.wireSubscribers.join(", ") : "none";
}

function setStatus(text, cls) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = "badge " + cls;
}

fetch(`${base}/api/state${query}`).then(r => r.json()).then(render).catch(() => setStatus("no engine", "lost"));
const stream = new EventSource(`${base}/api/stream${query}`);
stream.addEventListener("snapshot", e => { render(JSON.parse(e.data)); setStatus("live", "live"); });
stream.onerror = () => setStatus("reconnecting…", "lost");
