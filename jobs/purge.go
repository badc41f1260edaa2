package jobs

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"mosaic/catalog"
)

// PurgeOptions choose the undo logs Purge drops.
type PurgeOptions struct {
	// OlderThan purges the jobs that finished at least this long ago (0:
	// every finished job).
	OlderThan time.Duration
	// JobID purges only this job's undo log; a job whose log cannot be
	// purged is refused with the reason.
	JobID string
	// Reason is said in the messages of the purged jobs.
	Reason string
}

// PurgedJob is a job whose undo log Purge dropped.
type PurgedJob struct {
	JobID           string `json:"jobId"`
	Task            string `json:"task"`
	ImageCollection string `json:"imageCollection"`
	Items           int64  `json:"items"` // items it removed, still listed by its removedItems
}

// PurgeReport says what Purge did.
type PurgeReport struct {
	Purged     []PurgedJob `json:"purged"`
	FreedBytes int64       `json:"freedBytes"` // space given back to the file system
}

// purgeable is the condition on the jobs whose undo log Purge may drop:
// finished DeleteImage and DeleteImageCollection jobs that keep one. A
// failed DeleteImage is not finished for this (jobs resume retries it),
// and an undone DeleteImageCollection has no undo log any more (its table
// is the collection's item table again).
const purgeable = `task IN ('DeleteImage', 'DeleteImageCollection') AND undo_table IS NOT NULL AND purged IS NULL
	AND status IN ('esriJobSucceeded', 'esriJobCancelled', 'esriJobTimedOut')
	AND NOT (task = 'DeleteImageCollection' AND undone_by IS NOT NULL)`

// Purge drops the undo logs opts chooses, one job per transaction, then
// gives the space back to the file system (incremental vacuum). A purged
// job can no longer be undone; its removedItems result still lists the
// OBJECTID and Name of every item it removed, marked as purged.
func (m *Manager) Purge(ctx context.Context, opts PurgeOptions) (*PurgeReport, error) {
	var ids []string
	err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		if opts.JobID != "" {
			j, err := load(ctx, tx, strings.TrimSpace(opts.JobID))
			if err != nil {
				return err
			}
			if err := whyNotPurgeable(j); err != nil {
				return err
			}
			ids = []string{j.ID}
			return nil
		}
		cutoff := catalog.Timestamp(tx.Now.Add(-opts.OlderThan))
		jobs, err := scan(ctx, tx, "WHERE "+purgeable+" AND finished <= ? ORDER BY seq", cutoff)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			ids = append(ids, j.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	reason := opts.Reason
	if reason == "" {
		reason = "jobs purge"
	}
	report := &PurgeReport{Purged: []PurgedJob{}}
	for _, id := range ids {
		p, err := m.purgeOne(ctx, id, reason)
		if err != nil {
			return report, fmt.Errorf("purge job %s: %w", id, err)
		}
		if p != nil {
			report.Purged = append(report.Purged, *p)
		}
	}
	if len(report.Purged) == 0 {
		return report, nil
	}
	report.FreedBytes, err = m.cat.ReturnFreeSpace(ctx)
	return report, err
}

// whyNotPurgeable says why job j keeps its undo log, or nil.
func whyNotPurgeable(j *Job) error {
	switch {
	case j.Task != TaskDeleteImage && j.Task != TaskDeleteImageCollection:
		return catalog.Errorf(catalog.Conflict, "job %s (%s) keeps no undo log", j.ID, j.Task)
	case !j.Purged.IsZero():
		return catalog.Errorf(catalog.Conflict, "job %s's undo log was purged already, on %s", j.ID, catalog.Timestamp(j.Purged))
	case j.Task == TaskDeleteImageCollection && j.UndoneBy != "":
		return catalog.Errorf(catalog.Conflict, "job %s was undone by job %s: its collection is back, and there is no undo log left", j.ID, j.UndoneBy)
	case j.Status == Failed:
		return catalog.Errorf(catalog.Conflict, "job %s failed and can still be resumed; `mosaic jobs cancel %s` first, then purge it", j.ID, j.ID)
	case !j.Status.Finished():
		return catalog.Errorf(catalog.Conflict, "job %s is %s; its undo log is purged once it has finished", j.ID, j.Status)
	case j.UndoTable == "":
		return catalog.Errorf(catalog.Conflict, "job %s removed nothing and keeps no undo log", j.ID)
	}
	return nil
}

// purgeOne drops job id's undo log in one transaction, after storing the
// list of the items it removed. It returns nil if the job was purged, or
// became unpurgeable, meanwhile.
func (m *Manager) purgeOne(ctx context.Context, id, reason string) (*PurgedJob, error) {
	var p *PurgedJob
	err := m.cat.Update(ctx, func(tx *catalog.Tx) error {
		j, err := load(ctx, tx, id)
		if err != nil {
			return err
		}
		if whyNotPurgeable(j) != nil {
			return nil
		}
		log, err := j.undoLog()
		if err != nil {
			return err
		}
		if log != nil && j.Done > 0 {
			listed, err := tx.HasRemovedList(ctx, j.Seq)
			if err != nil {
				return err
			}
			ok, err := tx.TableExists(ctx, log.Table)
			if err != nil {
				return err
			}
			if !listed && ok {
				if _, err := tx.SaveRemovedList(ctx, j.Seq, log); err != nil {
					return err
				}
			}
		}
		if err := tx.DropUndoLog(ctx, j.UndoTable); err != nil {
			return err
		}
		if j.Task == TaskDeleteImageCollection {
			if err := tx.ForgetEdges(ctx, j.CollectionID); err != nil {
				return err
			}
		}
		j.Purged = tx.Now
		if err := addMessage(ctx, tx, j, Informative, "Undo log purged (%s): the %d items it removed can no longer be restored; removedItems still lists them", reason, j.Done); err != nil {
			return err
		}
		if err := update(ctx, tx, j); err != nil {
			return err
		}
		p = &PurgedJob{JobID: j.ID, Task: j.Task, ImageCollection: j.CollectionName, Items: j.Done}
		return nil
	})
	return p, err
}

// The catalog settings `mosaic config` knows, with what each means.
var settings = map[string]struct {
	usage string
	check func(string) (string, error) // the value to store, normalised
}{
	SettingRetention: {
		usage: "how long the undo logs of finished jobs are kept before they are purged, e.g. 30d, 12h (off: for ever, the default)",
		check: func(v string) (string, error) {
			d, err := ParseRetention(v)
			if err != nil || d == 0 {
				return "", err
			}
			return strings.TrimSpace(v), nil
		},
	},
}

// SettingRetention is the setting that purges undo logs automatically.
const SettingRetention = "retention"

// SettingNames lists the settings `mosaic config` knows.
func SettingNames() []string {
	var names []string
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SettingUsage says what a setting means.
func SettingUsage(name string) string { return settings[name].usage }

func knownSetting(name string) error {
	if _, ok := settings[name]; !ok {
		return catalog.ParamErrorf("name", "unknown setting %q (settings: %s)", name, strings.Join(SettingNames(), ", "))
	}
	return nil
}

// Setting returns the value of a catalog setting, and whether it is set.
func (m *Manager) Setting(ctx context.Context, name string) (string, bool, error) {
	if err := knownSetting(name); err != nil {
		return "", false, err
	}
	var v string
	var ok bool
	err := m.cat.View(ctx, func(tx *catalog.Tx) error {
		var err error
		v, ok, err = tx.Setting(ctx, name)
		return err
	})
	return v, ok, err
}

// SetSetting checks and sets a catalog setting ("off" or "" unsets it).
func (m *Manager) SetSetting(ctx context.Context, name, value string) error {
	if err := knownSetting(name); err != nil {
		return err
	}
	v, err := settings[name].check(value)
	if err != nil {
		return catalog.WithParam(err, "value")
	}
	return m.cat.Update(ctx, func(tx *catalog.Tx) error { return tx.SetSetting(ctx, name, v) })
}

// ParseRetention reads a retention period: a number followed by d (days),
// w (weeks), h, m or s, or a Go duration such as 36h30m; "off", "none",
// "0" and "" mean no retention (undo logs are kept until purged).
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "", "off", "none", "0", "never":
		return 0, nil
	}
	var unit time.Duration
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
		if err == nil && n > 0 && n < 100_000 {
			return time.Duration(n * float64(unit)).Round(time.Second), nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, catalog.Errorf(catalog.Invalid, "retention %q: expected a period such as 30d, 2w, 12h or 90m (or off)", s)
}

// ApplyRetention purges the undo logs of the jobs that finished longer ago
// than the catalog's retention setting; it does nothing when none is set.
// `mosaic serve` applies it periodically, and every command that writes,
// when its job ends.
func (m *Manager) ApplyRetention(ctx context.Context) (*PurgeReport, error) {
	v, ok, err := m.Setting(ctx, SettingRetention)
	if err != nil || !ok {
		return nil, err
	}
	d, err := ParseRetention(v)
	if err != nil || d == 0 {
		return nil, err
	}
	return m.Purge(ctx, PurgeOptions{OlderThan: d, Reason: "retention " + v})
}

// retain applies the retention setting after a command's work, and tells
// Notify what it purged or why it could not: a failed purge does not fail
// the work that was done.
func (m *Manager) retain(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	r, err := m.ApplyRetention(ctx)
	switch {
	case m.Notify == nil:
	case err != nil:
		m.Notify(fmt.Sprintf("retention: %v", err))
	case r != nil && len(r.Purged) > 0:
		m.Notify(fmt.Sprintf("retention: purged the undo logs of %d job(s), %s freed", len(r.Purged), FormatBytes(r.FreedBytes)))
	}
}

// FormatBytes renders a size for people: 12.3 MB.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
