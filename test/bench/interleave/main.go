// Command interleave times pairs of commands run alternately, for
// test/bench.sh: sap-ci-auth against test/bench/minclient doing the same
// exchange. hyperfine runs one command's whole series before the next, so on
// a shared machine a burst of load lands on one side only; here every round
// runs each pair's two commands back to back, in alternating order (AB, BA,
// AB, …), and a round's load falls on both.
//
//	interleave [-n ROUNDS] [-warmup N] NAME 'CMD A' 'CMD B' [NAME 'CMD A' 'CMD B' …]
//
// A command is split at white space and run directly (no shell), with
// stdout discarded; a failed run stops everything. For each side it reports
// the median and mean of the wall time and of the CPU time (user + system,
// from the child's rusage; steadier than wall time when other processes
// compete for the cores), and the ratio A/B of the medians.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type pair struct {
	name string
	cmds [2][]string
	// wall and cpu hold one sample per round for A ([0]) and B ([1]);
	// faults the minor page faults.
	wall, cpu, faults [2][]time.Duration
}

func main() {
	rounds := flag.Int("n", 40, "timed rounds; each runs every command once")
	warmup := flag.Int("warmup", 3, "untimed rounds first (page cache, CPU frequency)")
	maxWall := flag.Float64("max-wall", 0, "fail (exit 1) when a pair's median wall-time ratio A/B is above this; 0 checks nothing")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: interleave [-n ROUNDS] [-warmup N] NAME 'CMD A' 'CMD B' [NAME 'CMD A' 'CMD B' ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || len(args)%3 != 0 || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	var pairs []*pair
	for i := 0; i < len(args); i += 3 {
		pairs = append(pairs, &pair{name: args[i], cmds: [2][]string{strings.Fields(args[i+1]), strings.Fields(args[i+2])}})
	}
	for r := -*warmup; r < *rounds; r++ {
		for _, p := range pairs {
			order := []int{0, 1}
			if r%2 != 0 {
				order = []int{1, 0}
			}
			for _, side := range order {
				wall, cpu, faults, err := run(p.cmds[side])
				if err != nil {
					fmt.Fprintf(os.Stderr, "interleave: %s: %q: %v\n", p.name, strings.Join(p.cmds[side], " "), err)
					os.Exit(1)
				}
				if r >= 0 {
					p.wall[side] = append(p.wall[side], wall)
					p.cpu[side] = append(p.cpu[side], cpu)
					p.faults[side] = append(p.faults[side], time.Duration(faults))
				}
			}
		}
	}
	fmt.Printf("%d interleaved rounds; A = first command, B = second; wall and cpu (user+sys) in ms, faults = minor page faults\n", *rounds)
	fmt.Printf("%-20s %-6s %9s %9s %9s %9s %8s\n", "", "", "A median", "A mean", "B median", "B mean", "A/B")
	for _, p := range pairs {
		for _, m := range []struct {
			what  string
			s     [2][]time.Duration
			scale float64
			f     string
		}{{"wall", p.wall, float64(time.Millisecond), "%9.2f"}, {"cpu", p.cpu, float64(time.Millisecond), "%9.2f"}, {"faults", p.faults, 1, "%9.0f"}} {
			ma, mb := median(m.s[0]), median(m.s[1])
			f := "%-20s %-6s " + strings.Repeat(m.f+" ", 4) + "%7.2fx\n"
			fmt.Printf(f, p.name, m.what, float64(ma)/m.scale, float64(mean(m.s[0]))/m.scale,
				float64(mb)/m.scale, float64(mean(m.s[1]))/m.scale, float64(ma)/float64(mb))
		}
	}
	failed := false
	for _, p := range pairs {
		if r := float64(median(p.wall[0])) / float64(median(p.wall[1])); *maxWall > 0 && r > *maxWall {
			fmt.Printf("FAIL %s: wall time A/B %.2fx is over the guard of %.2fx\n", p.name, r, *maxWall)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// run runs argv with stdout discarded and returns its wall and CPU time and
// its minor page faults.
func run(argv []string) (wall, cpu time.Duration, faults int64, err error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), minorFaults(cmd.ProcessState), nil
}

func median(s []time.Duration) time.Duration {
	s = slices.Sorted(slices.Values(s))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func mean(s []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return sum / time.Duration(len(s))
}
