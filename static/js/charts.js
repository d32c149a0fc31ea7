// Dashboard charts (ECharts, vendored). No inline script: each chart's data sits in a
// <script type="application/json" id="chart-..."> element written by Django's json_script, and the
// container <div data-chart="chart-..."> says which. Every figure carries the URL of the list behind it
// (computed on the server); clicking a heat-map cell, a bar or a pie slice opens that list.
(function () {
  "use strict";

  if (!window.echarts) {
    return;
  }

  var FONT = window.getComputedStyle(document.body).fontFamily ||
    '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var RED = "#b3261e";
  var TEXT = "#212529";
  // Complaint stages: distinct hues, but every slice is labelled with its name and count too.
  var PIE_COLOURS = ["#0d6efd", "#6f42c1", "#dc3545", "#6c757d", "#198754"];

  function readData(id) {
    var el = document.getElementById(id);
    if (!el) {
      return null;
    }
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT, color: TEXT },
      animation: false,
      tooltip: { confine: true, textStyle: { fontFamily: FONT } }
    };
  }

  // Numbers drawn on the chart stay readable on any fill: dark text with a white halo.
  var LABEL = { show: true, color: TEXT, fontFamily: FONT, textBorderColor: "#fff", textBorderWidth: 3 };

  function heatmap(data) {
    var option = base();
    option.grid = { left: 8, right: 16, top: 28, bottom: 8, containLabel: true };
    option.xAxis = {
      type: "category", data: data.x, position: "top", splitArea: { show: true },
      axisLabel: { fontFamily: FONT, fontWeight: "bold" }
    };
    option.yAxis = {
      type: "category", data: data.y, inverse: true, splitArea: { show: true },
      axisLabel: { fontFamily: FONT }
    };
    option.visualMap = {
      show: false, min: 0, max: Math.max(data.max, 1), dimension: 2,
      inRange: { color: ["#fdf2f1", "#f3a69f", RED] }
    };
    option.tooltip.formatter = function (p) {
      return data.y[p.value[1]] + " · " + data.x[p.value[0]] + "：" + p.value[2];
    };
    option.series = [{
      name: data.series_name,
      type: "heatmap",
      data: data.cells.map(function (c) {
        return { value: [c.x, c.y, c.value], url: c.url };
      }),
      label: Object.assign({}, LABEL, { fontSize: 16, fontWeight: "bold" }),
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      emphasis: { itemStyle: { borderColor: TEXT, borderWidth: 2 } },
      cursor: "pointer"
    }];
    return option;
  }

  // Horizontal bars: long Chinese category names stay readable on a phone.
  function bars(data, opts) {
    var option = base();
    option.grid = { left: 8, right: 56, top: 8, bottom: 8, containLabel: true };
    option.xAxis = {
      type: "value", minInterval: 1, max: opts.max,
      axisLabel: { fontFamily: FONT, formatter: opts.percent ? "{value}%" : "{value}" }
    };
    option.yAxis = { type: "category", data: data.categories, inverse: true, axisLabel: { fontFamily: FONT } };
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (p) {
      return data.categories[p.dataIndex] + "：" + data.labels[p.dataIndex];
    };
    option.series = [{
      name: data.series_name,
      type: "bar",
      barMaxWidth: 28,
      data: data.values.map(function (v, i) {
        return { value: v, url: data.urls[i] };
      }),
      itemStyle: { color: opts.colour },
      label: Object.assign({}, LABEL, {
        position: "right",
        formatter: function (p) { return opts.percent ? p.value + "%" : String(p.value); }
      }),
      cursor: "pointer"
    }];
    return option;
  }

  function pie(data) {
    var option = base();
    option.color = PIE_COLOURS;
    option.tooltip.trigger = "item";
    option.tooltip.formatter = "{b}：{c}（{d}%）";
    // The legend under the donut names every stage with its count, so narrow screens lose nothing.
    var counts = {};
    data.items.forEach(function (item) { counts[item.name] = item.value; });
    option.legend = {
      bottom: 0, left: "center", icon: "circle", itemWidth: 10, itemHeight: 10,
      textStyle: { fontFamily: FONT, color: TEXT },
      formatter: function (name) { return name + " " + counts[name]; }
    };
    option.series = [{
      name: data.series_name,
      type: "pie",
      radius: ["34%", "58%"],
      center: ["50%", "44%"],
      avoidLabelOverlap: true,
      data: data.items.map(function (item) {
        return { name: item.name, value: item.value, url: item.url };
      }),
      label: { show: true, fontFamily: FONT, color: TEXT, formatter: "{b}\n{c}", lineHeight: 16, overflow: "none" },
      labelLine: { length: 8, length2: 6 },
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
      cursor: "pointer"
    }];
    return option;
  }

  var BUILDERS = {
    heatmap: heatmap,
    progress: function (data) { return bars(data, { percent: true, max: 100, colour: "#198754" }); },
    bar: function (data) { return bars(data, { percent: false, colour: RED }); },
    pie: pie
  };

  var charts = [];

  function draw(el) {
    var data = readData(el.getAttribute("data-chart"));
    var builder = data && BUILDERS[data.kind];
    if (!builder) {
      return;
    }
    // SVG: crisp when printed, and each cell is an element of the page.
    var chart = window.echarts.init(el, null, { renderer: "svg", locale: "ZH" });
    chart.setOption(builder(data));
    chart.on("click", function (params) {
      var url = params.data && params.data.url;
      if (url) {
        window.location.href = url;
      }
    });
    el.setAttribute("data-rendered", "true");
    charts.push(chart);
  }

  document.querySelectorAll("[data-chart]").forEach(draw);

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });

  // The data tables print with the charts (a closed <details> would hide them on paper).
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.lz-chart-data").forEach(function (d) {
      d.setAttribute("data-was-open", d.open ? "1" : "");
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details.lz-chart-data").forEach(function (d) {
      d.open = d.getAttribute("data-was-open") === "1";
    });
  });
})();
