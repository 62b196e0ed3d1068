#include "results/report_svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace bakeoff {
namespace {

constexpr double kWidth = 760, kHeight = 320;
constexpr double kLeft = 80, kRight = 170, kTop = 34, kBottom = 48;
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string Num(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", v);
  return buffer;
}

std::string Color(size_t i) {
  return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  void Finish(bool from_zero) {
    if (!std::isfinite(low)) low = 0, high = 1;
    if (from_zero) low = std::min(low, 0.0);
    if (high <= low) high = low + 1;
    high += (high - low) * 0.05;
  }
};

std::vector<std::pair<double, std::string>> Ticks(const ChartAxis& axis, const Range& range) {
  if (!axis.ticks.empty()) return axis.ticks;
  std::vector<std::pair<double, std::string>> ticks;
  for (int i = 0; i <= 4; ++i) {
    const double v = range.low + (range.high - range.low) * i / 4;
    ticks.emplace_back(v, axis.format ? axis.format(v) : Num(v));
  }
  return ticks;
}

// y in axis space: log10 on a log axis (NaN for values it cannot show), else as is.
double AxisY(const ChartAxis& axis, double v) {
  if (!axis.log) return v;
  return v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
}

// A log axis spans whole decades; its ticks sit at each power of ten (in log10 space).
void FinishLog(Range& range) {
  if (!std::isfinite(range.low)) range.low = 0, range.high = 1;
  range.low = std::floor(range.low);
  range.high = std::max(range.low + 1, std::ceil(range.high));
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

std::vector<std::pair<double, std::string>> LogTicks(const ChartAxis& axis, const Range& range) {
  std::vector<std::pair<double, std::string>> ticks;
  for (double e = range.low; e <= range.high + 1e-9; e += 1) {
    const double v = std::pow(10.0, e);
    ticks.emplace_back(e, WithoutZeroDecimals(axis.format ? axis.format(v) : Num(v)));
  }
  return ticks;
}

std::string Frame(const std::string& id, const std::string& title) {
  return "<svg id=\"" + HtmlEscape(id) +
         "\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(kWidth) + " " +
         Num(kHeight) + "\" width=\"" + Num(kWidth) + "\" height=\"" + Num(kHeight) +
         "\" role=\"img\" aria-label=\"" + HtmlEscape(title) + "\">\n<title>" + HtmlEscape(title) +
         "</title>\n<rect x=\"0\" y=\"0\" width=\"" + Num(kWidth) + "\" height=\"" + Num(kHeight) +
         "\" fill=\"#fff\"/>\n<text x=\"" + Num(kWidth / 2) +
         "\" y=\"20\" text-anchor=\"middle\" class=\"t\">" + HtmlEscape(title) + "</text>\n";
}

std::string Legend(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size() && i < 14; ++i) {
    const double y = kTop + 10 + 18.0 * static_cast<double>(i);
    out += "<rect x=\"" + Num(kWidth - kRight + 12) + "\" y=\"" + Num(y - 9) +
           "\" width=\"12\" height=\"10\" fill=\"" + Color(i) + "\"/><text x=\"" + Num(kWidth - kRight + 28) +
           "\" y=\"" + Num(y) + "\" class=\"l\">" +
           HtmlEscape(labels[i].size() > 24 ? labels[i].substr(0, 23) + "…" : labels[i]) + "</text>\n";
  }
  return out;
}

std::string YAxis(const ChartAxis& y, const Range& range, double plot_height) {
  std::string out;
  for (const auto& [value, label] : y.log && y.ticks.empty() ? LogTicks(y, range) : Ticks(y, range)) {
    const double py = kTop + plot_height * (1 - (value - range.low) / (range.high - range.low));
    out += "<line x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kWidth - kRight) + "\" y1=\"" + Num(py) +
           "\" y2=\"" + Num(py) + "\" class=\"g\"/><text x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(py + 4) +
           "\" text-anchor=\"end\" class=\"a\">" + HtmlEscape(label) + "</text>\n";
  }
  out += "<text x=\"14\" y=\"" + Num(kTop + plot_height / 2) + "\" transform=\"rotate(-90 14 " +
         Num(kTop + plot_height / 2) + ")\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(y.title) +
         "</text>\n";
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

std::string LineChartSvg(const std::string& id, const std::string& title,
                         const std::vector<ChartSeries>& series, const ChartAxis& x, const ChartAxis& y) {
  Range xr, yr;
  for (const ChartSeries& s : series) {
    for (const auto& [px, py] : s.points) xr.Add(px), yr.Add(AxisY(y, py));
  }
  for (const auto& tick : x.ticks) xr.Add(tick.first);
  xr.Finish(false);
  xr.high -= (xr.high - xr.low) * 0.05 / 1.05;  // no headroom on x
  if (y.log) {
    FinishLog(yr);
  } else {
    yr.Finish(y.from_zero);
  }
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  std::string out = Frame(id, title) + YAxis(y, yr, plot_h);
  for (const auto& [value, label] : Ticks(x, xr)) {
    const double px = kLeft + plot_w * (value - xr.low) / (xr.high - xr.low);
    out += "<line x1=\"" + Num(px) + "\" x2=\"" + Num(px) + "\" y1=\"" + Num(kTop) + "\" y2=\"" +
           Num(kTop + plot_h) + "\" class=\"g\"/><text x=\"" + Num(px) + "\" y=\"" + Num(kTop + plot_h + 16) +
           "\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(label) + "</text>\n";
  }
  out += "<text x=\"" + Num(kLeft + plot_w / 2) + "\" y=\"" + Num(kHeight - 8) +
         "\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(x.title) + "</text>\n";
  std::vector<std::string> labels;
  for (size_t i = 0; i < series.size(); ++i) {
    labels.push_back(series[i].label);
    std::string points;
    for (const auto& [vx, raw_y] : series[i].points) {
      const double vy = AxisY(y, raw_y);
      if (!std::isfinite(vx) || !std::isfinite(vy)) continue;
      points += Num(kLeft + plot_w * (vx - xr.low) / (xr.high - xr.low)) + "," +
                Num(kTop + plot_h * (1 - (vy - yr.low) / (yr.high - yr.low))) + " ";
    }
    out += "<polyline class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"" + Color(i) +
           "\" points=\"" + points + "\"><title>" + HtmlEscape(series[i].label) + "</title></polyline>\n";
  }
  if (series.empty()) {
    out += "<text x=\"" + Num(kLeft + plot_w / 2) + "\" y=\"" + Num(kTop + plot_h / 2) +
           "\" text-anchor=\"middle\" class=\"a\">no data</text>\n";
  }
  return out + Legend(labels) + "</svg>\n";
}

std::string BarChartSvg(const std::string& id, const std::string& title, const std::vector<BarGroup>& groups,
                        const ChartAxis& y) {
  Range yr;
  std::vector<std::string> series_names;
  for (const BarGroup& g : groups) {
    for (const BarValue& b : g.bars) {
      yr.Add(b.high), yr.Add(b.low), yr.Add(b.mean);
      if (std::find(series_names.begin(), series_names.end(), b.series) == series_names.end()) {
        series_names.push_back(b.series);
      }
    }
  }
  yr.Finish(true);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  std::string out = Frame(id, title) + YAxis(y, yr, plot_h);
  const double group_w = groups.empty() ? plot_w : plot_w / static_cast<double>(groups.size());
  auto to_y = [&](double v) { return kTop + plot_h * (1 - (v - yr.low) / (yr.high - yr.low)); };
  for (size_t g = 0; g < groups.size(); ++g) {
    const double gx = kLeft + group_w * static_cast<double>(g);
    const double bar_w = group_w * 0.8 / static_cast<double>(std::max<size_t>(1, series_names.size()));
    for (const BarValue& b : groups[g].bars) {
      const size_t s = static_cast<size_t>(std::find(series_names.begin(), series_names.end(), b.series) -
                                           series_names.begin());
      const double bx = gx + group_w * 0.1 + bar_w * static_cast<double>(s);
      const double top = to_y(b.mean), base = to_y(std::max(0.0, yr.low));
      out +=
          "<rect class=\"bar\" x=\"" + Num(bx) + "\" y=\"" + Num(std::min(top, base)) + "\" width=\"" +
          Num(bar_w * 0.9) + "\" height=\"" + Num(std::fabs(base - top)) + "\" fill=\"" + Color(s) +
          "\"><title>" +
          HtmlEscape(b.series + " " + groups[g].label + ": " + (y.format ? y.format(b.mean) : Num(b.mean))) +
          "</title></rect>\n";
      if (b.high > b.low) {
        const double cx = bx + bar_w * 0.45;
        out += "<path class=\"whisker\" stroke=\"#000\" fill=\"none\" d=\"M" + Num(cx) + " " +
               Num(to_y(b.low)) + "V" + Num(to_y(b.high)) + "M" + Num(cx - 5) + " " + Num(to_y(b.low)) +
               "h10M" + Num(cx - 5) + " " + Num(to_y(b.high)) + "h10\"/>\n";
      }
    }
    std::string label = groups[g].label.size() > 34 ? groups[g].label.substr(0, 33) + "…" : groups[g].label;
    out += "<text x=\"" + Num(gx + group_w / 2) + "\" y=\"" + Num(kTop + plot_h + 16) +
           "\" text-anchor=\"middle\" class=\"a\">" + HtmlEscape(label) + "</text>\n";
  }
  return out + Legend(series_names) + "</svg>\n";
}

}  // namespace bakeoff
