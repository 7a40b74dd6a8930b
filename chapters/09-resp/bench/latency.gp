# Chapter 9's latency percentiles as a chart (compare_redis_benchmark.sh with PIPELINES set
# draws it): p50, p99 and p99.9 of SET and GET at the sweep's first pipeline depth, a bar for
# vkv beside a bar for Redis, each labelled with its milliseconds.
#
#   gnuplot -e "data='ch09-latency.dat'; out='ch09-latency.svg'; note=\"what was run\"" latency.gp
#
# data: "\"SET p50\" vkv_ms redis_ms" a line.
set terminal svg size 760,420 fixed enhanced font 'sans,12' background rgb 'white'
set output out
set encoding utf8

set title "{/:Bold Latency percentiles, vkv and Redis}\n".note font 'sans,10'
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel 'milliseconds'
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set grid ytics lc rgb '#dddddd'
set key top left
set border 3
set tics nomirror
set xtics scale 0

# With two bars a cluster and a gap of one bar, cluster i spans i - 1/2 .. i + 1/2 and its
# bars are centred a sixth either side of i.
plot data using 2:xtic(1) lc rgb '#1f6fb4' title 'vkv', \
     '' using 3 lc rgb '#c0392b' title 'Redis', \
     '' using ($0 - 1.0 / 6):2:(sprintf('%.2f', $2)) with labels offset 0,0.6 font 'sans,9' notitle, \
     '' using ($0 + 1.0 / 6):3:(sprintf('%.2f', $3)) with labels offset 0,0.6 font 'sans,9' notitle
