# The long overwrite run as a chart (bench/long_overwrite.cpp draws it at the end of its run):
# each engine's data directory, and its write amplification so far, against the overwrites
# done. The directory's axis is logarithmic: a store without compaction grows with every
# write, one with compaction stays within a small multiple of the live data (the dashed line).
#
#   gnuplot -e "data='ch08-long.dat'; out='ch08-long.svg'; engines=4; live=11.6; note=\"...\"" \
#     long_overwrite.gp
#
# data (05-sstables/bench/long_overwrite.hpp, write_long_series): a header line "writes_M"
# and the engines' names twice; then a line a sample: the overwrites in millions, each
# engine's directory in MB, each engine's write amplification.
set terminal svg size 760,420 fixed enhanced font 'sans,12' background rgb 'white'
set output out
set encoding utf8

# One colour an engine, in the order of the columns (chapter 7's store, chapter 8's, LevelDB,
# RocksDB when all four ran).
set linetype 1 lc rgb '#7f7f7f' lw 2 dt 2
set linetype 2 lc rgb '#1f6fb4' lw 2.5
set linetype 3 lc rgb '#2e8b57' lw 2
set linetype 4 lc rgb '#e67e22' lw 2
set linetype 5 lc rgb '#8e44ad' lw 2

set multiplot layout 1,2 \
  title "{/:Bold The long overwrite: disk and write amplification}\n".note font 'sans,10'
set xlabel 'overwrites (millions)' font 'sans,11'
set xrange [0:*]
set grid xtics ytics lc rgb '#dddddd'
set border 3
set tics nomirror
set key top left opaque font 'sans,10'

set title 'data directory (MB, log scale)'
set logscale y 10
set ytics (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
set format y '%.0f'
plot for [i = 1:engines] data using 1:(column(1 + i)) with lines lt i title columnheader(1 + i), \
     live with lines lc rgb '#000000' lw 1 dt 3 title 'live data'

set title 'write amplification so far'
unset logscale y
set ytics autofreq
set format y '%.1f'
set key bottom right
set yrange [0:*]
plot for [i = 1:engines] data using 1:(column(1 + engines + i)) with lines lt i \
     title columnheader(1 + engines + i)
unset multiplot
