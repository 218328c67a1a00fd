package labeling

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"entgo.io/ent/dialect/sql"

	"gloss/ent"
	"gloss/ent/predicate"
	"gloss/ent/project"
	"gloss/ent/task"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/rule"
	"gloss/internal/viewer"
)

// LockTTL is how long nextTask keeps a task for the viewer it handed it to.
const LockTTL = 15 * time.Minute

// NextTask is the label stream: it returns a task of the project that the
// viewer has not annotated or skipped, that still needs annotations, and
// that nobody else holds, and locks it for the viewer for LockTTL. A task
// the viewer already holds comes first. Sequential sampling goes in import
// order (task id, which inner ids follow); random sampling starts at a
// random inner id and wraps around. Returns nil when nothing is left.
//
// The search proposes a few tasks, reading beside the writer; the lock is
// one short write transaction that takes the first of them that still
// qualifies, or none, and then the search is made again without them: the
// stream answers nil only when the search finds nothing. Every read of the
// search is an index seek whatever the project's size: see candidates.
func (s *Service) NextTask(ctx context.Context, projectID int) (*ent.Task, error) {
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, err
	}
	// Visible to the viewer, or not found; only what the stream decides on
	// (not the labeling config, which may be kilobytes).
	p, err := database.ClientFrom(ctx, s.client).Project.Query().Where(project.ID(projectID)).
		Select(project.FieldSampling, project.FieldTaskNumber, project.FieldOverlap).Only(ctx)
	if err != nil {
		return nil, err
	}
	from := 0
	if p.Sampling == project.SamplingRandom && p.TaskNumber > 0 {
		// A random inner id, as the task id the keyset starts at.
		sys := viewer.NewSystemContext(ctx)
		from, err = database.ClientFrom(ctx, s.client).Task.Query().
			Where(task.ProjectID(p.ID), task.InnerIDGTE(rand.IntN(p.TaskNumber)+1)).
			Order(ent.Asc(task.FieldInnerID)).FirstID(sys)
		if ent.IsNotFound(err) {
			from, err = 0, nil
		} else if err != nil {
			return nil, err
		}
	}
	// The search reads on its own, outside the write transaction (on
	// SQLite, a reader beside the writer): it walks the tasks the viewer
	// annotated or skipped, which a viewer who skipped many makes long,
	// and the writer waited for it. It only proposes: lockIn takes the
	// first of its picks that still qualifies, deciding everything again in
	// the write transaction, and a search whose picks were all taken since
	// is made again without them, so the stream answers nil only when no
	// task is left for the viewer. System context for the search:
	// annotators see only tasks already handed to them, so the stream
	// itself must look further. What it hands out is locked for, and then
	// read as, the viewer.
	sys := viewer.NewSystemContext(ctx)
	got := 0
	var tried []int
	for attempt := 0; attempt < 32 && got == 0; attempt++ {
		now := s.clock.Now()
		ids, err := s.candidates(sys, p, v.UserID, from, now, tried, pickBatch)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		err = s.inTx(ctx, func(ctx context.Context) error {
			if err := s.oneHandOutAtATime(ctx, p.ID, v.UserID); err != nil {
				return err
			}
			if got, err = s.lockIn(ctx, ids, p.ID, v.UserID, now); err != nil || got == 0 {
				return err
			}
			// Who was handed which task: the annotator reads it, whether
			// they annotate it or not.
			return s.audit.Record(ctx, audit.Event{Action: "task.handed_out", TargetType: "Task",
				TargetID: strconv.Itoa(got), Details: map[string]any{"project": p.ID}})
		})
		if err != nil {
			return nil, err
		}
		tried = append(tried, ids...)
	}
	if got == 0 {
		return nil, nil
	}
	// Read as the viewer, who may see the task now that they hold it, once
	// the lock is committed: the write transaction holds no full-row read.
	return database.ClientFrom(ctx, s.client).Task.Get(ctx, got)
}

// oneHandOutAtATime makes the hand-outs of a project's tasks to one user
// take turns until the transaction of ctx ends (PostgreSQL: an advisory
// lock on the pair; SQLite's one writer already does). Without it, many
// nextTask at once by one annotator (aliases of one query, tabs, a
// script) each passed over the row another had locked but not committed
// (lockIn's SKIP LOCKED) and took the next task: one query of fifteen
// aliases held fifteen tasks for LockTTL, away from the annotator's
// colleagues. In turn, each finds the task the one before committed held
// for the user, and hands out that one again (heldFirst). Whatever search
// proposed the ids, that task is among them: it was free when the search
// read it, or held by the user.
func (s *Service) oneHandOutAtATime(ctx context.Context, projectID, userID int) error {
	if !s.postgres {
		return nil
	}
	_, err := database.ClientFrom(ctx, s.client).ExecContext(ctx, "SELECT pg_advisory_xact_lock($1::integer, $2::integer)", projectID, userID)
	return err
}

// heldFirst orders the tasks handed to userID before the others, whether
// their lock lapsed or not: the stream hands an annotator the task it
// handed them first. A task handed to an annotator stays theirs to read
// until the stream hands it to someone else, so handing out another once
// the lock lapsed let an annotator gather a task to read every LockTTL
// (with random sampling, where the next search starts elsewhere) without
// annotating any.
func heldFirst(userID int) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.OrderExpr(sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("CASE WHEN ").Join(sql.EQ(s.C(task.FieldLockedByID), userID)).WriteString(" THEN 0 ELSE 1 END")
		}))
	}
}

// pickBatch is how many candidates a search hands lockIn. With 8
// annotators in the label stream, a search that handed over one lost it
// to another annotator's nextTask more often than not (2.7 searches and
// row locks per task), each loss costing two more round trips.
const pickBatch = 8

// candidates returns the ids of the first n tasks NextTask should lock, in
// order, or none. It is one statement of index seeks, flat in the
// project's size: for each count of annotations k below the overlap the
// first n tasks with exactly k in (project_id, total_annotations, id)
// order from the keyset start, skipping the few held by others and those
// the viewer annotated (an indexed NOT EXISTS per row); after the held
// task, the n lowest ids of these win. A range on the count instead would
// read every unfinished task to sort them. Tasks in tried are passed over.
//
// A task the viewer holds comes first, wherever it is (heldFirst): its own
// branch of the union seeks the index of held tasks. Whether it still
// needs the viewer is lockIn's to decide; the branch leaves those
// conditions out so that the planner has no other index to prefer.
//
// "Exactly k" is written as the range k..k, ordered by count then id: only
// that index gives this order, so PostgreSQL cannot walk the primary key
// instead. With an equality it may, and did: its statistics cannot tell
// that the finished tasks are the first ids, so it read every task
// annotated so far on each call, at ~1 ms per call after 2,000 submits.
// The second search of random sampling (ids below the start) has its bound
// as a filter, not an index bound: it reads at most what the first one
// read. The overlap is p's, read before the transaction: the search only
// proposes, and lockIn judges each task by its project's overlap now.
func (s *Service) candidates(ctx context.Context, p *ent.Project, userID, from int, now time.Time, tried []int, n int) ([]int, error) {
	search := func(after bool) ([]int, error) {
		query, args, err := s.candidateSearch(p, userID, from, now, tried, n, after)
		if err != nil {
			return nil, err
		}
		return s.ids(ctx, query, args)
	}
	ids, err := search(true)
	if len(ids) == 0 && err == nil && from > 0 {
		ids, err = search(false)
	}
	return ids, err
}

// candidateSearch is the statement of one of candidates' searches: of the
// tasks from the keyset start on (after), or else of those below it.
func (s *Service) candidateSearch(p *ent.Project, userID, from int, now time.Time, tried []int, n int, after bool) (string, []any, error) {
	// Everything that changes the statement's form is in the key; values
	// holds the rest, in the order build reads them.
	key := struct {
		op                   string
		overlap, tried, n    int
		after, belowTheStart bool
	}{"candidates", p.Overlap, len(tried), n, after, !after && from > 0}
	values := append([]any{userID, p.ID, from, now}, anyInts(tried)...)
	return s.shapes.Statement(s.dialect, key, values, func(ctx context.Context, c *ent.Client, v []any) error {
		userID, projectID, from, now, tried := v[0].(int), v[1].(int), v[2], v[3].(time.Time), v[4:]
		_, err := c.Task.Query().Modify(func(s *sql.Selector) {
			b := sql.Dialect(s.Dialect())
			h := sql.Table(task.Table)
			union := b.Select(h.C(task.FieldID)).From(h).Where(sql.And(
				sql.EQ(h.C(task.FieldLockedByID), userID),
				sql.EQ(h.C(task.FieldProjectID), projectID),
			)).OrderBy(h.C(task.FieldID)).Limit(1)
			if len(tried) > 0 {
				union.Where(sql.NotIn(h.C(task.FieldID), tried...))
			}
			union = b.Select(task.FieldID).From(union.As("held"))
			for k := 0; k < key.overlap; k++ {
				t := sql.Table(task.Table)
				pick := b.Select(t.C(task.FieldID)).From(t).Where(sql.And(
					sql.EQ(t.C(task.FieldProjectID), projectID),
					sql.GTE(t.C(task.FieldTotalAnnotations), k),
					sql.LTE(t.C(task.FieldTotalAnnotations), k),
				)).OrderBy(t.C(task.FieldTotalAnnotations), t.C(task.FieldID)).Limit(n)
				if key.after {
					pick.Where(sql.GTE(t.C(task.FieldID), from))
				} else if key.belowTheStart {
					pick.Where(sql.LT(t.C(task.FieldID), from))
				}
				free(userID, now)(pick)
				notAnnotatedBy(userID)(pick)
				if len(tried) > 0 {
					pick.Where(sql.NotIn(t.C(task.FieldID), tried...))
				}
				union.UnionAll(b.Select(task.FieldID).From(pick.As("k" + strconv.Itoa(k))))
			}
			s.Where(sql.In(s.C(task.FieldID), union))
			heldFirst(userID)(s)
		}).Order(ent.Asc(task.FieldID)).Limit(n).IDs(ctx)
		return err
	})
}

// ids runs a query of task ids, in the transaction ctx carries or else
// beside the writer.
func (s *Service) ids(ctx context.Context, query string, args []any) ([]int, error) {
	rows, err := database.ClientFrom(ctx, s.client).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// anyInts returns v as arguments of a statement.
func anyInts(v []int) []any {
	out := make([]any, len(v))
	for i, id := range v {
		out[i] = id
	}
	return out
}

// intsOf returns the ints of v.
func intsOf(v []any) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = x.(int)
	}
	return out
}

// free holds for tasks that no one but userID holds at now.
func free(userID int, now time.Time) predicate.Task {
	return task.Or(task.LockedUntilIsNil(), task.LockedUntilLT(now), task.LockedByID(userID))
}

// takeable holds for the tasks the label stream may lock for userID at
// now: below their overlap, not annotated or skipped by userID, and free.
func takeable(userID int, now time.Time) []predicate.Task {
	return []predicate.Task{belowOverlap(), notAnnotatedBy(userID), free(userID, now)}
}

// belowOverlap holds for tasks with fewer non-skipped annotations than
// their project's overlap as the statement reads it, not as NextTask read
// it before its transaction: a manager may have lowered it since.
func belowOverlap() predicate.Task {
	return func(s *sql.Selector) {
		p := sql.Table(project.Table)
		overlap := sql.Select(p.C(project.FieldOverlap)).From(p).
			Where(sql.ColumnsEQ(p.C(project.FieldID), s.C(task.FieldProjectID)))
		s.Where(sql.P(func(b *sql.Builder) {
			b.Ident(s.C(task.FieldTotalAnnotations)).WriteString(" < ").Wrap(func(b *sql.Builder) { b.Join(overlap) })
		}))
	}
}

// notAnnotatedBy holds for tasks userID has not annotated or skipped.
func notAnnotatedBy(userID int) predicate.Task {
	return task.Not(rule.AnnotatedByEach(userID))
}

// inTx runs fn in the transaction ctx carries, or in a new one.
func (s *Service) inTx(ctx context.Context, fn func(context.Context) error) error {
	return database.InTx(ctx, database.ClientFrom(ctx, s.client), fn)
}

// lockIn takes for userID the task userID holds in project projectID, or
// else the first task of ids, in their order (the held task first, then by
// id), that still needs an
// annotation (fewer that were not skipped than its
// project's overlap, read in the same statement: belowOverlap), that
// userID has not annotated or skipped and that nobody else holds; it
// returns the task's id, or 0 when none of them qualifies. The whole
// decision is the UPDATE's condition, so two annotators (or two tabs of
// one) can never both win, and a task that a submit filled after we read it
// as a candidate is not taken again.
//
// A SELECT of ids with the same conditions finds that task first: on
// SQLite, whose write transaction holds the write lock from BEGIN on, the
// UPDATE then takes it. On PostgreSQL the SELECT also locks its row: as a
// later statement,
// the UPDATE judges the annotations subquery by what a transaction that
// held the row before committed, annotation included. The row lock does
// not wait (SKIP LOCKED): a row locked by another transaction is being
// taken or submitted, so it is passed over for the next of ids. It carries
// the UPDATE's condition too, so that a task another annotator took since
// the search (the usual loser of a race) is not locked: a row lock taken
// for an UPDATE that then changes nothing would stay until this
// transaction ends and make that annotator's submit wait for it. (When the other annotator
// commits in the instant between this statement's snapshot and its lock,
// PostgreSQL still locks the row before it finds the condition false: rare,
// and the UPDATE decides either way.)
//
// The UPDATE itself is not logged row by row (the generic event of a bulk
// update names no task): NextTask records the hand-out as task.handed_out.
func (s *Service) lockIn(ctx context.Context, ids []int, projectID, userID int, now time.Time) (int, error) {
	client := database.ClientFrom(ctx, s.client)
	quiet := audit.Quiet(ctx)
	var passed []int // found by the SELECT, then refused by the UPDATE (PostgreSQL)
	for len(ids) > 0 {
		key := struct {
			op          string
			ids, passed int
			rowLock     bool
		}{"lockIn", len(ids), len(passed), s.postgres}
		values := slices.Concat([]any{userID, projectID, now}, anyInts(ids), anyInts(passed))
		query, args, err := s.shapes.Statement(s.dialect, key, values, func(ctx context.Context, c *ent.Client, v []any) error {
			userID, projectID, now := v[0].(int), v[1].(int), v[2].(time.Time)
			ids, passed := v[3:3+key.ids], v[3+key.ids:]
			// The tasks handed to userID in the project, if any, whether
			// the search proposed them or not: a hand-out that committed
			// after the search (of the same user, in turn:
			// oneHandOutAtATime) holds one, and they come first
			// (heldFirst).
			held := task.And(task.LockedByID(userID), task.ProjectID(projectID))
			_, err := c.Task.Query().Where(task.Or(task.IDIn(intsOf(ids)...), held)).Where(takeable(userID, now)...).
				Order(ent.Asc(task.FieldID)).Limit(1).
				Modify(func(sel *sql.Selector) {
					if len(passed) > 0 {
						sel.Where(sql.NotIn(sel.C(task.FieldID), passed...))
					}
					heldFirst(userID)(sel) // ids' order
					if key.rowLock {
						sel.ForUpdate(sql.WithLockAction(sql.SkipLocked))
					}
				}).
				IDs(ctx)
			return err
		})
		if err != nil {
			return 0, err
		}
		got, err := s.ids(ctx, query, args)
		if err != nil || len(got) == 0 {
			return 0, err
		}
		id := got[0]
		n, err := client.Task.Update().
			Where(task.ID(id)).Where(takeable(userID, now)...).
			SetLockedByID(userID).
			SetLockedUntil(now.Add(LockTTL)).
			// Taking the lock is not a change to the task: its updated_at
			// stays what it was.
			Modify(func(u *sql.UpdateBuilder) {
				u.Set(task.FieldUpdatedAt, sql.ExprFunc(func(b *sql.Builder) { b.Ident(task.FieldUpdatedAt) }))
			}).
			Save(quiet)
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return id, nil
		}
		if !s.postgres {
			return 0, nil
		}
		// The SELECT judged the annotations by the snapshot it started
		// with; the UPDATE, after the row lock, saw one that committed in
		// between (the annotator's other tab). Try the others again (the
		// SELECT ordered by a held-first it judged anew, so the ids it
		// passed over are not all before id in ids' order), or the caller
		// passes them over as tried.
		ids = slices.DeleteFunc(slices.Clone(ids), func(x int) bool { return x == id }) // the caller keeps ids
		passed = append(passed, id)
	}
	return 0, nil
}

// Task returns a task the viewer may see and records that they opened it:
// reading task data is a data access the audit log keeps.
func (s *Service) Task(ctx context.Context, id int) (*ent.Task, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	t, err := database.ClientFrom(ctx, s.client).Task.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return t, s.audit.Record(ctx, audit.Event{Action: "task.viewed", TargetType: "Task", TargetID: strconv.Itoa(t.ID),
		Details: map[string]any{"project": t.ProjectID}})
}
