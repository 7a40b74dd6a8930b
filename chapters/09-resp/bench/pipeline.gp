# Chapter 9's pipeline sweep as a chart (compare_redis_benchmark.sh with PIPELINES set draws
# it): requests/s against pipeline depth, vkv and Redis, SET beside GET. Both axes are
# logarithmic, so equal gaps between the lines are equal ratios at every depth.
#
#   gnuplot -e "data='ch09-pipeline.dat'; out='ch09-pipeline.svg'; note=\"what was run\"" pipeline.gp
#
# data: "pipeline vkv_set redis_set vkv_get redis_get" a line, in requests/s.
set terminal svg size 760,420 fixed enhanced font 'sans,12' background rgb 'white'
set output out
set encoding utf8

set multiplot layout 1,2 \
  title "{/:Bold Requests/s against pipeline depth, vkv and Redis}\n".note font 'sans,10'
set logscale x 2
set logscale y 10
set xtics 2
set ytics (10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000)
set format y '%.0s%c'
set xlabel 'pipeline depth (requests in flight per connection)' font 'sans,11'
set ylabel 'requests/s'
set grid xtics ytics mytics lc rgb '#dddddd'
set key top left
set border 3
set tics nomirror
set style line 1 lw 2 pt 7 ps 0.8 lc rgb '#1f6fb4'
set style line 2 lw 2 pt 5 ps 0.8 lc rgb '#c0392b'
set offsets graph 0.1, graph 0.1, 0, 0
# One y range for both panels, the data's with room for the labels.
stats data using 2 nooutput name 'vs'
stats data using 3 nooutput name 'rs'
stats data using 4 nooutput name 'vg'
stats data using 5 nooutput name 'rg'
lowest = vs_min < rs_min ? vs_min : rs_min
lowest = vg_min < lowest ? vg_min : lowest
lowest = rg_min < lowest ? rg_min : lowest
highest = vs_max > rs_max ? vs_max : rs_max
highest = vg_max > highest ? vg_max : highest
highest = rg_max > highest ? rg_max : highest
set yrange [lowest / 1.5 : highest * 1.5]

set title 'SET'
plot data using 1:2 with linespoints ls 1 title 'vkv', \
     '' using 1:3 with linespoints ls 2 title 'Redis', \
     '' using 1:2:(sprintf('%.0fk', $2 / 1000)) with labels offset 0,0.8 font 'sans,8' tc rgb '#1f6fb4' notitle, \
     '' using 1:3:(sprintf('%.0fk', $3 / 1000)) with labels offset 0,-0.8 font 'sans,8' tc rgb '#c0392b' notitle

set title 'GET'
unset ylabel
plot data using 1:4 with linespoints ls 1 title 'vkv', \
     '' using 1:5 with linespoints ls 2 title 'Redis', \
     '' using 1:4:(sprintf('%.0fk', $4 / 1000)) with labels offset 0,0.8 font 'sans,8' tc rgb '#1f6fb4' notitle, \
     '' using 1:5:(sprintf('%.0fk', $5 / 1000)) with labels offset 0,-0.8 font 'sans,8' tc rgb '#c0392b' notitle
unset multiplot
