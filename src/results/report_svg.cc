#include "results/report_svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace bakeoff {
namespace {

// The drawing's own units (the <svg> scales to the page's width). The plot's height is fixed so that
// charts line up; the legend below it takes as many rows as it needs.
constexpr double kWidth = 1100, kLeft = 80, kRight = 40, kTop = 34, kPlotHeight = 238;
constexpr double kAxisBelow = 48;   // x tick labels and the x title
constexpr double kLegendRow = 17;   // one legend line
constexpr double kCharWidth = 7.0;  // a generous 11 px sans-serif character, so estimates never cut text
// Colors first, then the same colors dashed: 12 x 4 = 48 series stay distinct.
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
constexpr size_t kColors = sizeof(kPalette) / sizeof(kPalette[0]);
const char* const kDashes[] = {"", "7 4", "2 3", "10 3 2 3"};

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", v);
  return buffer;
}

std::string Fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, v);
  return buffer;
}

std::string Color(size_t i) {
  return kPalette[i % kColors];
}

// stroke-dasharray for series i ("" = solid).
std::string DashAttribute(size_t i) {
  const char* dash = kDashes[(i / kColors) % (sizeof(kDashes) / sizeof(kDashes[0]))];
  return *dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : "";
}

// Characters, not bytes: UTF-8 continuation bytes do not count.
double TextWidth(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return kCharWidth * static_cast<double>(chars);
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return !std::isfinite(low); }
};

// 1, 2 or 5 x 10^k: the step that gives about five ticks over `span`.
double NiceStep(double span) {
  if (!(span > 0)) return 1;
  const double raw = span / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

// An axis's mapping from values to [0, 1] and its ticks (value in axis space, label).
struct Scale {
  double low = 0, high = 1;
  bool log = false;
  std::vector<std::pair<double, std::string>> ticks;
  double Fraction(double v) const {
    const double a = log ? (v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN()) : v;
    return (a - low) / (high - low);
  }
};

// Labels for round linear ticks in one unit for the whole axis.
std::vector<std::pair<double, std::string>> LinearTicks(const ChartAxis& axis, double first, double last,
                                                        double step) {
  std::vector<double> values;
  for (double v = first; v <= last + step * 1e-6; v += step)
    values.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  double largest = 0;
  for (double v : values) largest = std::max(largest, std::fabs(v));
  double unit = 1;
  std::string name;
  switch (axis.unit) {
    case AxisUnit::kDurationNs:
      unit = largest >= 1e9 ? 1e9 : largest >= 1e6 ? 1e6 : largest >= 1e3 ? 1e3 : 1;
      name = unit == 1e9 ? " s" : unit == 1e6 ? " ms" : unit == 1e3 ? " us" : " ns";
      break;
    case AxisUnit::kCount:
      unit = largest >= 1e6 ? 1e6 : largest >= 1e3 ? 1e3 : 1;
      name = unit == 1e6 ? " M" : unit == 1e3 ? " k" : "";
      break;
    case AxisUnit::kSeconds:
      name = " s";
      break;
    case AxisUnit::kPlain:
      break;
  }
  const int decimals = step / unit >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step / unit) - 1e-9));
  std::vector<std::pair<double, std::string>> ticks;
  ticks.reserve(values.size());
  for (double v : values) {
    ticks.emplace_back(v, axis.unit == AxisUnit::kPlain ? (axis.format ? axis.format(v) : Num(v))
                                                        : Fixed(v / unit, decimals) + name);
  }
  return ticks;
}

// "1.00 ms" -> "1 ms", "10.0 us" -> "10 us": a power of ten needs no decimals.
std::string WithoutZeroDecimals(std::string label) {
  const size_t dot = label.find('.');
  if (dot == std::string::npos) return label;
  size_t end = dot + 1;
  while (end < label.size() && label[end] == '0') ++end;
  if (end < label.size() && std::isdigit(static_cast<unsigned char>(label[end]))) return label;
  return label.erase(dot, end - dot);
}

// The y scale: whole decades on a log axis; otherwise round ends, never below 0 for data that is not.
Scale YScale(const ChartAxis& axis, Range data) {
  Scale s;
  s.log = axis.log;
  if (axis.log) {
    Range logs;
    if (!data.empty()) logs.Add(std::log10(std::max(data.low, 1e-300))), logs.Add(std::log10(data.high));
    s.low = logs.empty() ? 0 : std::floor(logs.low);
    s.high = logs.empty() ? 1 : std::max(s.low + 1, std::ceil(logs.high));
    if (!axis.ticks.empty()) {
      for (const auto& [v, label] : axis.ticks) s.ticks.emplace_back(std::log10(v), label);
      return s;
    }
    for (double e = s.low; e <= s.high + 1e-9; e += 1) {
      const double v = std::pow(10.0, e);
      s.ticks.emplace_back(e, WithoutZeroDecimals(axis.format ? axis.format(v) : Num(v)));
    }
    return s;
  }
  if (data.empty()) data.Add(0), data.Add(1);
  if (axis.from_zero) data.Add(0);
  if (data.high <= data.low) data.high = data.low + (data.low == 0 ? 1 : std::fabs(data.low));
  const double step = NiceStep(data.high - data.low);
  s.low = std::floor(data.low / step) * step;
  if (data.low >= 0) s.low = std::max(0.0, s.low);
  s.high = std::ceil(data.high / step) * step;
  if (s.high <= s.low) s.high = s.low + step;
  s.ticks = axis.ticks.empty() ? LinearTicks(axis, s.low, s.high, step) : axis.ticks;
  return s;
}

// The x scale spans the data exactly; round ticks fall inside it.
Scale XScale(const ChartAxis& axis, Range data) {
  Scale s;
  for (const auto& tick : axis.ticks) data.Add(tick.first);
  if (data.empty()) data.Add(0), data.Add(1);
  if (data.high <= data.low) data.high = data.low + 1;
  s.low = data.low, s.high = data.high;
  if (!axis.ticks.empty()) {
    s.ticks = axis.ticks;
    return s;
  }
  const double step = NiceStep(data.high - data.low);
  s.ticks = LinearTicks(axis, std::ceil(data.low / step - 1e-9) * step, data.high, step);
  return s;
}

struct Canvas {
  double width = kWidth;
  double plot_w = kWidth - kLeft - kRight;
  double X(const Scale& s, double v) const { return kLeft + plot_w * s.Fraction(v); }
  double Y(const Scale& s, double v) const { return kTop + kPlotHeight * (1 - s.Fraction(v)); }
  double AxisY(const Scale& s, double axis_value) const {
    return kTop + kPlotHeight * (1 - (axis_value - s.low) / (s.high - s.low));
  }
  double AxisX(const Scale& s, double axis_value) const {
    return kLeft + plot_w * (axis_value - s.low) / (s.high - s.low);
  }
};

// The legend's layout: columns as wide as the longest label; the drawing widens for a label longer
// than the page's width rather than cut it.
struct LegendLayout {
  size_t columns = 1;
  double column_w = 0;
  double height = 0;
};

LegendLayout LayOutLegend(const std::vector<std::string>& labels, Canvas& canvas) {
  LegendLayout layout;
  if (labels.empty()) return layout;
  double longest = 0;
  for (const std::string& label : labels) longest = std::max(longest, TextWidth(label));
  layout.column_w = 30 + longest + 20;
  canvas.width = std::max(kWidth, kLeft + layout.column_w + kRight);
  canvas.plot_w = canvas.width - kLeft - kRight;
  layout.columns =
      std::max<size_t>(1, static_cast<size_t>((canvas.width - kLeft - kRight) / layout.column_w));
  layout.columns = std::min(layout.columns, labels.size());
  const size_t rows = (labels.size() + layout.columns - 1) / layout.columns;
  layout.height = 10 + kLegendRow * static_cast<double>(rows);
  return layout;
}

std::string Legend(const std::vector<std::string>& labels, const LegendLayout& layout, double top,
                   bool lines) {
  std::string out = "<g class=\"legend\">\n";
  for (size_t i = 0; i < labels.size(); ++i) {
    const double x = kLeft + layout.column_w * static_cast<double>(i % layout.columns);
    const size_t row = i / layout.columns;
    const double y = top + 10 + kLegendRow * static_cast<double>(row);
    out += "<g class=\"legend-item\">";
    if (lines) {
      out += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x + 22) + "\" y1=\"" + Num(y - 4) + "\" y2=\"" +
             Num(y - 4) + "\" stroke=\"" + Color(i) + "\" stroke-width=\"2.5\"" + DashAttribute(i) + "/>";
    } else {
      out += "<rect x=\"" + Num(x + 5) + "\" y=\"" + Num(y - 9) + "\" width=\"12\" height=\"10\" fill=\"" +
             Color(i) + "\"/>";
    }
    out += "<text x=\"" + Num(x + 28) + "\" y=\"" + Num(y) + "\" class=\"l\">" + HtmlEscape(labels[i]) +
           "</text></g>\n";
  }
  return out + "</g>\n";
}

std::string Frame(const std::string& id, const std::string& title, const Canvas& canvas, double height,
                  const Scale& x, const Scale& y) {
  const auto bound = [](const Scale& s, double v) { return Num(s.log ? std::pow(10.0, v) : v); };
  return "<svg id=\"" + HtmlEscape(id) +
         "\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(canvas.width) + " " +
         Num(height) + "\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"" +
         " role=\"img\" aria-label=\"" + HtmlEscape(title) + "\" data-y-scale=\"" +
         (y.log ? "log" : "linear") + "\" data-y-min=\"" + bound(y, y.low) + "\" data-y-max=\"" +
         bound(y, y.high) + "\" data-x-min=\"" + bound(x, x.low) + "\" data-x-max=\"" + bound(x, x.high) +
         "\">\n<title>" + HtmlEscape(title) + "</title>\n<rect x=\"0\" y=\"0\" width=\"" + Num(canvas.width) +
         "\" height=\"" + Num(height) + "\" fill=\"#fff\"/>\n<text x=\"" + Num(canvas.width / 2) +
         "\" y=\"20\" text-anchor=\"middle\" class=\"t\">" + HtmlEscape(title) + "</text>\n";
}

std::string YAxis(const ChartAxis& axis, const Scale& y, const Canvas& canvas) {
  std::string out;
  for (const auto& [value, label] : y.ticks) {
    const double py = canvas.AxisY(y, value);
    out += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kLeft + canvas.plot_w) + "\" y1=\"" + Num(py) +
           "\" y2=\"" + Num(py) + "\" class=\"g\"/><text x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(py + 4) +
           "\" text-anchor=\"end\" class=\"a y-tick\">" + HtmlEscape(label) + "</text>\n";
  }
  const double mid = kTop + kPlotHeight / 2;
  out += "<text x=\"14\" y=\"" + Num(mid) + "\" transform=\"rotate(-90 14 " + Num(mid) +
         ")\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(axis.title) + "</text>\n";
  return out;
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* ChartStyle() {
  return "svg.chart{display:block;width:100%;height:auto;margin:10px 0;border:1px solid #eee}"
         ".t{font-size:14px;font-weight:bold}.a{font-size:11px;fill:#444}.l{font-size:11px}.g{stroke:#eee}"
         ".warmup{fill:#f2f2f2}.drain{fill:#eaf1fb}.band-label{font-size:10px;fill:#777}"
         ".target{stroke:#222;stroke-width:1.5;stroke-dasharray:6 4}.target-label{font-size:10px;fill:#222}";
}

std::string LineChartSvg(const std::string& id, const std::string& title,
                         const std::vector<ChartSeries>& series, const ChartAxis& x, const ChartAxis& y,
                         const ChartDecorations& decorations) {
  Range xr, yr;
  for (const ChartSeries& s : series) {
    for (const auto& [px, py] : s.points) {
      if (y.log && !(py > 0)) continue;
      xr.Add(px), yr.Add(py);
    }
  }
  for (const ChartLine& line : decorations.lines) yr.Add(line.y);
  if (!xr.empty()) {
    for (const ChartBand& band : decorations.bands) xr.Add(band.from), xr.Add(band.to);  // t = 0 shows
  }
  const Scale xs = XScale(x, xr), ys = YScale(y, yr);
  std::vector<std::string> labels;
  labels.reserve(series.size());
  for (const ChartSeries& s : series) labels.push_back(s.label);
  Canvas canvas;
  const LegendLayout legend = LayOutLegend(labels, canvas);
  const double legend_top = kTop + kPlotHeight + kAxisBelow;
  std::string out = Frame(id, title, canvas, legend_top + legend.height + 6, xs, ys);
  for (const ChartBand& band : decorations.bands) {
    const double from = std::clamp(canvas.X(xs, band.from), kLeft, kLeft + canvas.plot_w);
    const double to = std::clamp(canvas.X(xs, band.to), kLeft, kLeft + canvas.plot_w);
    if (!(to > from)) continue;
    out += "<rect class=\"band " + HtmlEscape(band.css_class) + "\" x=\"" + Num(from) + "\" y=\"" +
           Num(kTop) + "\" width=\"" + Num(to - from) + "\" height=\"" + Num(kPlotHeight) + "\"><title>" +
           HtmlEscape(band.label) + "</title></rect><text class=\"band-label\" x=\"" + Num(from + 3) +
           "\" y=\"" + Num(kTop + 11) + "\">" + HtmlEscape(band.label) + "</text>\n";
  }
  out += YAxis(y, ys, canvas);
  for (const auto& [value, label] : xs.ticks) {
    const double px = canvas.AxisX(xs, value);
    out += "<line x1=\"" + Num(px) + "\" x2=\"" + Num(px) + "\" y1=\"" + Num(kTop) + "\" y2=\"" +
           Num(kTop + kPlotHeight) + "\" class=\"g\"/><text x=\"" + Num(px) + "\" y=\"" +
           Num(kTop + kPlotHeight + 16) + "\" text-anchor=\"middle\" class=\"a x-tick\">" +
           HtmlEscape(label) + "</text>\n";
  }
  out += "<text x=\"" + Num(kLeft + canvas.plot_w / 2) + "\" y=\"" + Num(kTop + kPlotHeight + 38) +
         "\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(x.title) + "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    std::string points;
    for (const auto& [vx, vy] : series[i].points) {
      const double px = canvas.X(xs, vx), py = canvas.Y(ys, vy);
      if (!std::isfinite(px) || !std::isfinite(py)) continue;
      points += Num(px) + "," + Num(py) + " ";
    }
    out += "<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"" + Color(i) + "\"" +
           DashAttribute(i) + " points=\"" + points + "\"><title>" + HtmlEscape(series[i].label) +
           "</title></polyline>\n";
  }
  for (const ChartLine& line : decorations.lines) {
    const double py = canvas.Y(ys, line.y);
    if (!std::isfinite(py)) continue;
    out += "<line class=\"target\" x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kLeft + canvas.plot_w) +
           "\" y1=\"" + Num(py) + "\" y2=\"" + Num(py) +
           "\"/><text class=\"target-label\" text-anchor=\"end\" x=\"" + Num(kLeft + canvas.plot_w - 4) +
           "\" y=\"" + Num(py - 4) + "\">" + HtmlEscape(line.label) + "</text>\n";
  }
  if (series.empty()) {
    out += "<text x=\"" + Num(kLeft + canvas.plot_w / 2) + "\" y=\"" + Num(kTop + kPlotHeight / 2) +
           "\" text-anchor=\"middle\" class=\"a\">no data</text>\n";
  }
  return out + Legend(labels, legend, legend_top, true) + "</svg>\n";
}

std::string BarChartSvg(const std::string& id, const std::string& title, const std::vector<BarGroup>& groups,
                        const ChartAxis& y) {
  Range yr;
  std::vector<std::string> series_names;
  for (const BarGroup& g : groups) {
    for (const BarValue& b : g.bars) {
      for (double v : {b.mean, std::max(0.0, b.low), b.high}) {
        if (!y.log || v > 0) yr.Add(v);
      }
      if (std::find(series_names.begin(), series_names.end(), b.series) == series_names.end()) {
        series_names.push_back(b.series);
      }
    }
  }
  const Scale ys = YScale(y, yr);
  Canvas canvas;
  const LegendLayout legend = LayOutLegend(series_names, canvas);
  const double group_w = groups.empty() ? canvas.plot_w : canvas.plot_w / static_cast<double>(groups.size());
  // Group labels that do not fit under their group are turned upright (hanging down from the axis, so no
  // label runs past the drawing's sides), and the space below grows to hold them.
  double longest = 0;
  for (const BarGroup& g : groups) longest = std::max(longest, TextWidth(g.label));
  const bool turned = longest > group_w * 0.95;
  const double below = turned ? 20 + longest : kAxisBelow;
  Scale xs;  // the groups' index, for the frame's data attributes
  xs.high = static_cast<double>(groups.size());
  const double legend_top = kTop + kPlotHeight + below;
  std::string out = Frame(id, title, canvas, legend_top + legend.height + 6, xs, ys) + YAxis(y, ys, canvas);
  const double bottom = kTop + kPlotHeight;
  const auto to_y = [&](double v) {
    const double py = canvas.Y(ys, v);
    return std::isfinite(py) ? std::clamp(py, kTop, bottom) : bottom;  // <= 0 on a log axis: its floor
  };
  for (size_t g = 0; g < groups.size(); ++g) {
    const double gx = kLeft + group_w * static_cast<double>(g);
    const double bar_w = group_w * 0.8 / static_cast<double>(std::max<size_t>(1, series_names.size()));
    for (const BarValue& b : groups[g].bars) {
      const size_t s = static_cast<size_t>(std::find(series_names.begin(), series_names.end(), b.series) -
                                           series_names.begin());
      const double bx = gx + group_w * 0.1 + bar_w * static_cast<double>(s);
      const double cx = bx + bar_w * 0.45;
      const std::string tip =
          HtmlEscape(b.series + " " + groups[g].label + ": " + (y.format ? y.format(b.mean) : Num(b.mean)));
      if (y.log) {
        out += "<circle class=\"dot\" cx=\"" + Num(cx) + "\" cy=\"" + Num(to_y(b.mean)) +
               "\" r=\"4\" fill=\"" + Color(s) + "\"><title>" + tip + "</title></circle>\n";
      } else {
        const double top = to_y(b.mean), base = to_y(ys.low);
        out += "<rect class=\"bar\" x=\"" + Num(bx) + "\" y=\"" + Num(std::min(top, base)) + "\" width=\"" +
               Num(bar_w * 0.9) + "\" height=\"" + Num(std::fabs(base - top)) + "\" fill=\"" + Color(s) +
               "\"><title>" + tip + "</title></rect>\n";
      }
      if (b.high > b.low) {
        const double low = to_y(std::max(0.0, b.low)), high = to_y(b.high);
        out += "<path class=\"whisker\" stroke=\"#000\" fill=\"none\" d=\"M" + Num(cx) + " " + Num(low) +
               "V" + Num(high) + "M" + Num(cx - 5) + " " + Num(low) + "h10M" + Num(cx - 5) + " " + Num(high) +
               "h10\"/>\n";
      }
    }
    const double lx = gx + group_w / 2 + (turned ? 4 : 0), ly = bottom + (turned ? 8 : 16);
    out += "<text x=\"" + Num(lx) + "\" y=\"" + Num(ly) + "\" class=\"a x-tick\"" +
           (turned ? " text-anchor=\"end\" transform=\"rotate(-90 " + Num(lx) + " " + Num(ly) + ")\""
                   : std::string(" text-anchor=\"middle\"")) +
           ">" + HtmlEscape(groups[g].label) + "</text>\n";
  }
  return out + Legend(series_names, legend, legend_top, false) + "</svg>\n";
}

}  // namespace bakeoff
