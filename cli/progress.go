package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws a one-line progress bar on a terminal:
//
//	deleting  [=========>          ]  4,500/10,000  45%  1,520/s  ETA 4s
//
// It redraws at most every 100 ms. On anything but a terminal it draws
// nothing, so piped output stays clean.
type progressBar struct {
	w     io.Writer
	label string
	unit  string
	start time.Time
	last  time.Time
	on    bool
	drawn bool
}

func newProgressBar(w io.Writer, label, unit string) *progressBar {
	return &progressBar{w: w, label: label, unit: unit, start: time.Now(), on: isTerminal(w)}
}

// update shows done of total.
func (p *progressBar) update(done, total int64) {
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last = time.Now()
	const width = 24
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	elapsed := time.Since(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed
	}
	eta := "--"
	if rate > 0 && done < total {
		eta = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	} else if done >= total {
		eta = "0s"
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d %s %3.0f%% %.0f/s ETA %s\x1b[K", p.label, bar, done, total, p.unit, frac*100, rate, eta)
	p.drawn = true
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
