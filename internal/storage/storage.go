// Package storage connects projects to the places their data lives, as
// Label Studio's cloud and local storages do: S3 (and S3-compatible
// gateways) and local folders, each through one Bucket interface. Source
// storages make tasks from their objects (sync), target storages receive
// one JSON object per annotation, and the data proxy serves a task's
// objects to those who may read the task. Who may do what is the ent
// privacy policies' decision (rule.StoragePolicy); every outbound request
// goes through the SSRF-safe client; credentials are sealed at rest and
// never leave the server.
package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gloss/ent"
	"gloss/ent/privacy"
	"gloss/ent/project"
	"gloss/ent/storage"
	"gloss/ent/storagelink"
	"gloss/ent/storagesync"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/dataset"
	"gloss/internal/fault"
	"gloss/internal/safehttp"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// secretPurpose is the purpose the sealing key of storage credentials is
// derived for: no other use of the server secret shares it.
const secretPurpose = "storage credentials"

// Service holds what the storage service needs.
type Service struct {
	client  *ent.Client
	sealer  secret.Sealer
	http    *http.Client
	safe    *safehttp.Client
	local   Local
	dataset *dataset.Service
	log     *slog.Logger
	gcsEmu  string // Options.GCSEmulator
	// The work this process runs in the background (syncs, the target
	// writer and its jobs), which Close waits for: how much runs, counted
	// under lifeMu as well (enter, leave), and whether Close has begun.
	running sync.WaitGroup
	lifeMu  sync.Mutex
	active  int
	closed  bool
	// The background writer of target storages (writeTargets): the
	// committed changes it has yet to gather, whether it runs, and the
	// projects' jobs that write them, with what each has yet to write
	// (writeProject).
	targetMu    sync.Mutex
	targetQueue []change
	targetBusy  bool
	targetJobs  map[int][]targetBatch
	stop        chan struct{} // closed by Close: running syncs end, the target writer gathers no more
	halt        chan struct{} // closed by Close after its grace: target writes still running end
	once        sync.Once
}

// Options configure a Service.
type Options struct {
	Key     secret.Key
	HTTP    *safehttp.Client // the SSRF-safe client every storage request goes through
	Local   Local
	Dataset *dataset.Service // the importer that source syncs hand task objects to
	Logger  *slog.Logger
	// GCSEmulator is the base URL GCS storages without an endpoint reach
	// instead of Google (STORAGE_EMULATOR_HOST), or "".
	GCSEmulator string
}

// NewService returns a Service over client.
func NewService(client *ent.Client, o Options) *Service {
	s := &Service{stop: make(chan struct{}), halt: make(chan struct{}), client: client, sealer: o.Key.Sealer(secretPurpose), safe: o.HTTP, local: o.Local, dataset: o.Dataset, log: o.Logger, gcsEmu: o.GCSEmulator}
	if o.HTTP != nil {
		s.http = o.HTTP.HTTPClient()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Close stops the syncs this process runs (each is recorded as failed and
// a later sync goes on where it stopped) and waits for them, and lets the
// target writes in flight (annotations committed just before) finish for
// up to grace before it stops them too. A write stopped so is missing from
// its target storage until the next sync of that storage.
func (s *Service) Close(grace time.Duration) {
	grace = max(grace, 0)
	s.once.Do(func() {
		s.lifeMu.Lock()
		s.closed = true
		s.lifeMu.Unlock()
		s.log.Info("storage: syncs stop; target writes in flight may finish", slog.Duration("grace", grace))
		close(s.stop)
		done := make(chan struct{})
		go func() { s.running.Wait(); close(done) }()
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			select {
			case <-done: // both were ready
			default:
				s.log.Warn("storage: target writes still running after the shutdown grace period are stopped; the next sync of their storages writes them")
				close(s.halt)
			}
		}
	})
	s.running.Wait()
}

// enter counts one more piece of background work, which Close waits for,
// and reports true; once Close has begun and no background work runs any
// more, it counts nothing and reports false. Work that starts while other
// work runs is admitted even during Close (a source sync's import of
// annotations hands them to the target writer, which may be idle): Close
// is still waiting then. Without this check a request that outlived the
// shutdown's grace could start work after Close had stopped waiting, or
// count it as the wait ended (which sync.WaitGroup forbids), and that work
// would use the database closed next. Every enter is ended by leave.
func (s *Service) enter() bool {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed && s.active == 0 {
		return false
	}
	s.active++
	s.running.Add(1)
	return true
}

// leave ends what enter counted.
func (s *Service) leave() {
	s.lifeMu.Lock()
	s.active--
	s.lifeMu.Unlock()
	s.running.Done()
}

// until returns ctx, cancelled when end is closed (s.stop for syncs,
// s.halt for target writes).
func until(ctx context.Context, end <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-end:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Input is what a caller may set on a storage. Nil leaves a field as it is
// (or its default, on create).
type Input struct {
	ProjectID         int
	Direction         storage.Direction
	Kind              storage.Kind
	Title             *string
	Description       *string
	Prefix            *string
	RegexFilter       *string
	UseBlobURLs       *bool
	RecursiveScan     *bool
	Presign           *bool
	PresignTTLMinutes *int
	CanDeleteObjects  *bool
	S3                *S3Input
	Local             *LocalInput
	Redis             *RedisInput
	GCS               *GCSInput
	Azure             *AzureInput
}

// S3Input is the S3 part of an Input. Secret fields are write-only: nil
// keeps what is stored, "" removes it.
type S3Input struct {
	Bucket          string
	Region          *string
	Endpoint        *string
	AccessKeyID     *string
	SecretAccessKey *string
	SessionToken    *string
}

// RedisInput is the Redis part of an Input; Password is write-only.
type RedisInput struct {
	Host     string
	Port     *int
	DB       *int
	Password *string
	TLS      *bool
}

// kindsGiven counts the kind settings in given: exactly one, the
// storage's own kind, is valid.
func (in Input) kindsGiven() int {
	n := 0
	for _, given := range []bool{in.S3 != nil, in.Local != nil, in.Redis != nil, in.GCS != nil, in.Azure != nil} {
		if given {
			n++
		}
	}
	return n
}

// GCSInput is the Google Cloud Storage part of an Input; CredentialsJSON
// (a service-account key) is write-only.
type GCSInput struct {
	Bucket          string
	ProjectID       *string
	CredentialsJSON *string
	Endpoint        *string
}

// AzureInput is the Azure Blob Storage part of an Input; AccountKey is
// write-only.
type AzureInput struct {
	Container   string
	AccountName string
	AccountKey  *string
	Endpoint    *string
}

// LocalInput is the local files part of an Input.
type LocalInput struct {
	Path string
}

// MaxPerProject is the most storages a project may have, of both
// directions: the most Project.storages lists, so that none is hidden from
// the project's managers (a target storage they cannot see would still
// receive every annotation).
const MaxPerProject = 50

// Create makes a storage for a project the viewer manages.
func (s *Service) Create(ctx context.Context, in Input) (*ent.Storage, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	p, err := client.Project.Get(ctx, in.ProjectID)
	if err != nil {
		return nil, err
	}
	// The project's row is locked so that two creates at once count each
	// other (PostgreSQL).
	if _, err := client.Project.Query().Where(project.ID(p.ID)).Modify(database.ForUpdate).
		Select(project.FieldID).Ints(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
		return nil, err
	}
	n, err := client.Storage.Query().Where(storage.ProjectID(p.ID)).Count(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, err
	}
	if n >= MaxPerProject {
		return nil, fault.Invalid("project %d has %d storages, the most a project may have: delete one first", p.ID, n)
	}
	c := client.Storage.Create().SetProjectID(p.ID).SetOrganizationID(p.OrganizationID).
		SetDirection(in.Direction).SetKind(in.Kind).SetCreatedByID(viewer.FromContext(ctx).UserID)
	var sec Secrets
	set, err := s.settings(in, nil, &sec)
	if err != nil {
		return nil, err
	}
	if err := common(in); err != nil {
		return nil, err
	}
	c.SetBucket(set.bucket).SetSettings(set.values).
		SetNillableTitle(in.Title).SetNillableDescription(in.Description).SetNillablePrefix(in.Prefix).
		SetNillableRegexFilter(in.RegexFilter).SetNillableUseBlobUrls(in.UseBlobURLs).
		SetNillableRecursiveScan(in.RecursiveScan).SetNillablePresign(in.Presign).
		SetNillablePresignTTLMinutes(in.PresignTTLMinutes).SetNillableCanDeleteObjects(in.CanDeleteObjects)
	prefix := ""
	if in.Prefix != nil {
		prefix = *in.Prefix
	}
	if sealed := s.seal(sec, bindOf(p.OrganizationID, p.ID, in.Kind, in.Direction, set.bucket, prefix, set.values)); sealed != nil {
		c.SetSecrets(sealed)
	}
	return c.Save(ctx)
}

// Update changes a storage the viewer may see; direction and kind stay.
func (s *Service) Update(ctx context.Context, id int, in Input) (*ent.Storage, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return nil, err
	}
	client := database.ClientFrom(ctx, s.client)
	// Locked (PostgreSQL): the credentials are sealed again below for
	// where this edit leaves the storage, which another edit at once must
	// not move meanwhile.
	st, err := client.Storage.Query().Where(storage.ID(id)).Modify(database.ForUpdate).Only(ctx)
	if err != nil {
		return nil, err
	}
	in.Kind, in.Direction = st.Kind, st.Direction
	if err := common(in); err != nil {
		return nil, err
	}
	u := client.Storage.UpdateOneID(id).
		SetNillableTitle(in.Title).SetNillableDescription(in.Description).SetNillablePrefix(in.Prefix).
		SetNillableRegexFilter(in.RegexFilter).SetNillableUseBlobUrls(in.UseBlobURLs).
		SetNillableRecursiveScan(in.RecursiveScan).SetNillablePresign(in.Presign).
		SetNillablePresignTTLMinutes(in.PresignTTLMinutes).SetNillableCanDeleteObjects(in.CanDeleteObjects)
	if in.kindsGiven() == 0 && widened(st, in.Prefix) && SecretSet(st) {
		return nil, errMoved("prefix")
	}
	prefix := st.Prefix
	if in.Prefix != nil {
		prefix = *in.Prefix
	}
	// The credentials are sealed again for where the storage goes now
	// (bindOf) when that may have changed.
	if in.kindsGiven() > 0 || prefix != st.Prefix && SecretSet(st) {
		sec, err := s.secrets(st)
		if err != nil && in.kindsGiven() == 0 {
			return nil, err
		} else if err != nil {
			// Credentials that no longer open (sealed for another place,
			// or by another key) are none: this edit gives what it gives,
			// as the error that sent the user here asks.
			sec = Secrets{}
		}
		bucket, values := st.Bucket, st.Settings
		if in.kindsGiven() > 0 {
			set, err := s.settings(in, st, &sec)
			if err != nil {
				return nil, err
			}
			bucket, values = set.bucket, set.values
			u.SetBucket(bucket).SetSettings(values)
			if bucket != st.Bucket || !maps.Equal(values, st.Settings) || widened(st, in.Prefix) {
				// Whoever points a storage somewhere else answers for it
				// from then on (targets).
				u.SetCreatedByID(viewer.FromContext(ctx).UserID)
			}
		}
		if sealed := s.seal(sec, bindOf(st.OrganizationID, st.ProjectID, st.Kind, st.Direction, bucket, prefix, values)); sealed != nil {
			u.SetSecrets(sealed)
		} else {
			u.ClearSecrets()
		}
	}
	return u.Save(ctx)
}

// Delete removes a storage the viewer may see, with its syncs and links.
// The tasks it made stay, as in Label Studio.
func (s *Service) Delete(ctx context.Context, id int) error {
	if _, err := fault.SignedIn(ctx); err != nil {
		return err
	}
	client := database.ClientFrom(ctx, s.client)
	if _, err := client.Storage.Get(ctx, id); err != nil {
		return err
	}
	// The viewer may delete the storage (checked below by its policy); its
	// bookkeeping rows are the server's, removed with it.
	sys := viewer.NewSystemContext(ctx)
	if _, err := client.StorageSync.Delete().Where(storagesync.StorageID(id)).Exec(sys); err != nil {
		return err
	}
	if _, err := client.StorageLink.Delete().Where(storagelink.StorageID(id)).Exec(sys); err != nil {
		return err
	}
	return client.Storage.DeleteOneID(id).Exec(ctx)
}

// SecretSet reports whether any credential is stored for st.
func SecretSet(st *ent.Storage) bool { return len(st.Secrets) > 0 }

// kindSettings is what settings gives back: the bucket column and the
// non-secret settings.
type kindSettings struct {
	bucket string
	values map[string]string
}

// settings validates the kind's part of in and returns it; secrets given
// in it are merged into sec.
func (s *Service) settings(in Input, old *ent.Storage, sec *Secrets) (kindSettings, error) {
	switch in.Kind {
	case storage.KindS3:
		if in.S3 == nil || in.kindsGiven() != 1 {
			return kindSettings{}, fault.Invalid("an S3 storage needs s3 settings and no others")
		}
		if err := bucketName(in.S3.Bucket); err != nil {
			return kindSettings{}, err
		}
		values := map[string]string{}
		if old != nil {
			for k, v := range old.Settings {
				values[k] = v
			}
		}
		if r := in.S3.Region; r != nil {
			if len(*r) > 64 || strings.ContainsFunc(*r, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') }) {
				return kindSettings{}, fault.Invalid("s3.region must be an AWS region name such as us-east-1")
			}
			values["region"] = *r
		}
		if e := in.S3.Endpoint; e != nil {
			if *e != "" {
				if err := s.endpoint("s3.endpoint", *e); err != nil {
					return kindSettings{}, err
				}
			}
			values["endpoint"] = *e
		}
		if (moved(old, values, "endpoint") || rebucketed(old, in.S3.Bucket, in.Prefix)) &&
			(kept(sec.AccessKeyID, in.S3.AccessKeyID) || kept(sec.SecretAccessKey, in.S3.SecretAccessKey) || kept(sec.SessionToken, in.S3.SessionToken)) {
			return kindSettings{}, errMoved("s3.endpoint, s3.bucket or prefix")
		}
		secretField(&sec.AccessKeyID, in.S3.AccessKeyID)
		secretField(&sec.SecretAccessKey, in.S3.SecretAccessKey)
		secretField(&sec.SessionToken, in.S3.SessionToken)
		if len(sec.AccessKeyID) > 256 || len(sec.SecretAccessKey) > 256 || len(sec.SessionToken) > 4096 {
			return kindSettings{}, fault.Invalid("the S3 credentials are too long")
		}
		return kindSettings{bucket: in.S3.Bucket, values: values}, nil
	case storage.KindLOCAL:
		if in.Local == nil || in.kindsGiven() != 1 {
			return kindSettings{}, fault.Invalid("a local storage needs local settings and no others")
		}
		_, rel, err := s.local.LocalPath(in.Local.Path)
		if err != nil {
			return kindSettings{}, fault.Invalid("local.path: %v", err)
		}
		// Kept relative to the root, as task URIs name local files.
		return kindSettings{bucket: rel, values: map[string]string{}}, nil
	case storage.KindREDIS:
		if in.Redis == nil || in.kindsGiven() != 1 {
			return kindSettings{}, fault.Invalid("a Redis storage needs redis settings and no others")
		}
		r := in.Redis
		port, db := 6379, 0
		if r.Port != nil {
			port = *r.Port
		}
		if r.DB != nil {
			db = *r.DB
		}
		if port < 1 || port > 65535 {
			return kindSettings{}, fault.Invalid("redis.port must be between 1 and 65535")
		}
		if db < 0 || db > 1000 {
			return kindSettings{}, fault.Invalid("redis.db must be between 0 and 1000")
		}
		if r.Host == "" || len(r.Host) > 253 || strings.ContainsAny(r.Host, "/@?#[] \t") {
			return kindSettings{}, fault.Invalid("redis.host must be a host name or IPv4 address")
		}
		if s.safe != nil {
			if err := s.safe.CheckURL("http://" + net.JoinHostPort(r.Host, strconv.Itoa(port))); err != nil {
				return kindSettings{}, fault.Invalid("redis.host is refused: %s", safeMessage(err))
			}
		}
		if in.UseBlobURLs != nil && *in.UseBlobURLs {
			return kindSettings{}, fault.Invalid("Redis values are Label Studio task JSON: useBlobUrls does not apply")
		}
		useTLS := "false"
		if r.TLS != nil && *r.TLS {
			useTLS = "true"
		}
		values := map[string]string{"port": strconv.Itoa(port), "db": strconv.Itoa(db), "tls": useTLS}
		if (rebucketed(old, r.Host, in.Prefix) || moved(old, values, "port") || moved(old, values, "tls") || moved(old, values, "db")) && kept(sec.Password, r.Password) {
			return kindSettings{}, errMoved("redis.host, redis.port, redis.tls, redis.db or prefix")
		}
		secretField(&sec.Password, r.Password)
		if len(sec.Password) > 1024 {
			return kindSettings{}, fault.Invalid("redis.password is too long")
		}
		return kindSettings{bucket: r.Host, values: values}, nil
	case storage.KindGCS:
		if in.GCS == nil || in.kindsGiven() != 1 {
			return kindSettings{}, fault.Invalid("a GCS storage needs gcs settings and no others")
		}
		g := in.GCS
		if err := gcsBucketName(g.Bucket); err != nil {
			return kindSettings{}, err
		}
		values := map[string]string{}
		if old != nil {
			for k, v := range old.Settings {
				values[k] = v
			}
		}
		if p := g.ProjectID; p != nil {
			if len(*p) > 64 || strings.ContainsFunc(*p, func(c rune) bool {
				return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':')
			}) {
				return kindSettings{}, fault.Invalid("gcs.projectId must be a Google Cloud project id such as my-project-123")
			}
			values["projectId"] = *p
		}
		if e := g.Endpoint; e != nil {
			if *e != "" {
				if err := s.endpoint("gcs.endpoint", *e); err != nil {
					return kindSettings{}, err
				}
			}
			values["endpoint"] = *e
		}
		if (moved(old, values, "endpoint") || rebucketed(old, g.Bucket, in.Prefix) || moved(old, values, "projectId")) && kept(sec.GCSCredentials, g.CredentialsJSON) {
			return kindSettings{}, errMoved("gcs.endpoint, gcs.bucket, gcs.projectId or prefix")
		}
		secretField(&sec.GCSCredentials, g.CredentialsJSON)
		if len(sec.GCSCredentials) > 16384 {
			return kindSettings{}, fault.Invalid("gcs.credentialsJson is too long")
		}
		if sec.GCSCredentials != "" {
			if _, err := gcsCredentials(sec.GCSCredentials); err != nil {
				return kindSettings{}, fault.Invalid("%s", err.Error())
			}
		}
		return kindSettings{bucket: g.Bucket, values: values}, nil
	case storage.KindAZURE:
		if in.Azure == nil || in.kindsGiven() != 1 {
			return kindSettings{}, fault.Invalid("an Azure storage needs azure settings and no others")
		}
		a := in.Azure
		if err := containerName(a.Container); err != nil {
			return kindSettings{}, err
		}
		if len(a.AccountName) < 3 || len(a.AccountName) > 24 || strings.ContainsFunc(a.AccountName, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') }) {
			return kindSettings{}, fault.Invalid("azure.accountName must be 3 to 24 lower-case letters and digits")
		}
		values := map[string]string{}
		if old != nil {
			for k, v := range old.Settings {
				values[k] = v
			}
		}
		values["account"] = a.AccountName
		if e := a.Endpoint; e != nil {
			if *e != "" {
				if err := s.endpoint("azure.endpoint", *e); err != nil {
					return kindSettings{}, err
				}
			}
			values["endpoint"] = *e
		}
		if (moved(old, values, "endpoint") || moved(old, values, "account") || rebucketed(old, a.Container, in.Prefix)) && kept(sec.AzureKey, a.AccountKey) {
			return kindSettings{}, errMoved("azure.endpoint, azure.accountName, azure.container or prefix")
		}
		secretField(&sec.AzureKey, a.AccountKey)
		if sec.AzureKey != "" {
			if k, err := base64.StdEncoding.DecodeString(sec.AzureKey); err != nil || len(sec.AzureKey) > 256 || len(k) == 0 {
				return kindSettings{}, fault.Invalid("azure.accountKey must be the account's base64 access key")
			}
		}
		return kindSettings{bucket: a.Container, values: values}, nil
	}
	return kindSettings{}, fault.Invalid("%s storages are not available on this server yet", in.Kind)
}

// secretField applies a write-only input: nil keeps, anything else sets.
func secretField(dst *string, in *string) {
	if in != nil {
		*dst = *in
	}
}

// moved reports whether an edit changes the setting name, one of those
// that say where a storage's requests go (endpoint, port, account, TLS,
// the billed GCS project, the Redis database), from what old has. A new
// storage has not moved.
func moved(old *ent.Storage, values map[string]string, name string) bool {
	return old != nil && old.Settings[name] != values[name]
}

// rebucketed reports whether an edit points old at another bucket (an S3
// or GCS bucket, an Azure container, a Redis host), or at objects outside
// its prefix (widened). Keys an admin entered for one bucket often reach
// others the editor may not read, and a prefix is often what keeps one
// project's files from another's in a shared bucket.
func rebucketed(old *ent.Storage, bucket string, prefix *string) bool {
	return old != nil && (old.Bucket != bucket || widened(old, prefix))
}

// widened reports whether an edit gives old a prefix that is not within
// its own (objects are listed by the prefix as a string): narrowing it is
// no move, any other change is.
func widened(old *ent.Storage, prefix *string) bool {
	return old != nil && prefix != nil && !strings.HasPrefix(*prefix, old.Prefix)
}

// kept reports whether a stored credential would stay although the input
// does not give it.
func kept(stored string, in *string) bool { return stored != "" && in == nil }

// errMoved refuses an edit that points a storage somewhere else while
// keeping credentials it does not give again. Secrets are write-only, so
// whoever may edit a storage (a manager) need not know them; were they
// kept, the next check or sync would hand them to the new place — an S3
// session token, a bearer token signed with a GCS key, an Azure SharedKey
// signature, a Redis password — and the new place may be the editor's own
// server; or, in another bucket of the same service, would read (and, for
// a target storage, write) whatever else those keys reach. Whoever moves a
// storage gives its credentials again, or empties them.
func errMoved(field string) error {
	return fault.Invalid("changing %s sends the storage's credentials somewhere else: enter them again (or empty them) in the same edit", field)
}

// common validates the settings every kind shares.
func common(in Input) error {
	if in.Prefix != nil {
		p := *in.Prefix
		if len(p) > 1024 || strings.HasPrefix(p, "/") {
			return fault.Invalid("prefix must be at most 1024 characters and must not start with /")
		}
		if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fault.Invalid("prefix must not hold control characters")
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == ".." || seg == "." {
				return fault.Invalid(`prefix must not hold "." or ".." segments`)
			}
		}
	}
	if in.RegexFilter != nil && *in.RegexFilter != "" {
		if len(*in.RegexFilter) > 500 {
			return fault.Invalid("regexFilter must be at most 500 characters")
		}
		// Go's regexp runs in linear time, so no filter can stall a sync.
		if _, err := regexp.Compile(*in.RegexFilter); err != nil {
			return fault.Invalid("regexFilter is not a valid regular expression: %v", err)
		}
	}
	if t := in.PresignTTLMinutes; t != nil && (*t < 1 || *t > 7*24*60) {
		return fault.Invalid("presignTtlMinutes must be between 1 and 10080 (a week)")
	}
	if in.UseBlobURLs != nil && *in.UseBlobURLs && in.Direction == storage.DirectionEXPORT {
		return fault.Invalid("useBlobUrls applies to source (IMPORT) storages only")
	}
	return nil
}

// bucketName checks an S3 bucket name against AWS's rules.
func bucketName(b string) error {
	ok := len(b) >= 3 && len(b) <= 63
	for i, r := range b {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && r != '-' && r != '.' || (i == 0 || i == len(b)-1) && !alnum {
			ok = false
		}
	}
	if !ok || strings.Contains(b, "..") {
		return fault.Invalid("s3.bucket must be 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit")
	}
	return nil
}

// gcsBucketName checks a GCS bucket name as Google has them: 3 to 63
// lower-case letters, digits, hyphens, underscores and dots, starting and
// ending with a letter or digit.
func gcsBucketName(b string) error {
	ok := len(b) >= 3 && len(b) <= 63
	for i, r := range b {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && r != '-' && r != '.' && r != '_' || (i == 0 || i == len(b)-1) && !alnum {
			ok = false
		}
	}
	if !ok || strings.Contains(b, "..") {
		return fault.Invalid("gcs.bucket must be 3 to 63 lower-case letters, digits, dots, hyphens and underscores, starting and ending with a letter or digit")
	}
	return nil
}

// containerName checks an Azure container name: 3 to 63 lower-case
// letters, digits and single hyphens, starting with a letter or digit.
func containerName(c string) error {
	ok := len(c) >= 3 && len(c) <= 63 && !strings.Contains(c, "--")
	for i, r := range c {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		if !alnum && r != '-' || (i == 0 || i == len(c)-1) && !alnum {
			ok = false
		}
	}
	if !ok {
		return fault.Invalid("azure.container must be 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit")
	}
	return nil
}

// endpoint checks a storage endpoint URL: http or https, a host, no
// credentials, query or fragment, and a host the SSRF rules allow.
func (s *Service) endpoint(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fault.Invalid("%s must be an http or https URL such as https://storage.example.com:9000", field)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fault.Invalid("%s must not hold credentials, a query or a fragment (put credentials in their own fields)", field)
	}
	if s.safe != nil {
		if err := s.safe.CheckURL(raw); err != nil {
			return fault.Invalid("%s is refused: %s", field, safeMessage(err))
		}
	}
	return nil
}

// bindOf is what a storage's sealed credentials are bound to: its
// organization and project, so that they open in no other project's row,
// and where its requests go and what they reach (kind, direction, bucket,
// prefix and every setting: endpoint, region, account, port, ...), so
// that they open for no other place. Someone who can write the database
// but does not hold the server's secret key cannot point a storage at a
// server or a bucket of their own and have the server send its
// credentials there, as an edit through the API cannot (errMoved).
func bindOf(org, project int, kind storage.Kind, dir storage.Direction, bucket, prefix string, settings map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "org %d project %d %s %s bucket %q prefix %q", org, project, kind, dir, bucket, prefix)
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		fmt.Fprintf(&b, " %q=%q", k, settings[k])
	}
	return b.String()
}

// bindOfStorage is bindOf of st as stored.
func bindOfStorage(st *ent.Storage) string {
	return bindOf(st.OrganizationID, st.ProjectID, st.Kind, st.Direction, st.Bucket, st.Prefix, st.Settings)
}

// earlierBind is what releases before destination binding bound
// credentials to: organization and project only (ResealEarlier).
func earlierBind(st *ent.Storage) string {
	return fmt.Sprintf("org %d project %d", st.OrganizationID, st.ProjectID)
}

// ResealedFile is the file in the data directory that says this
// process's data directory has seen the credentials sealed to their
// destination (ResealEarlier).
const ResealedFile = "storage-credentials-resealed"

// ResealEarlier seals again, bound to their destination, the credentials
// an earlier release sealed bound to their project only: at the first
// start of this release, under the start-up lock, in one transaction. It
// does nothing once the data directory holds ResealedFile, or any
// storage's credentials open bound to their destination: credentials
// sealed the earlier way after the upgrade (a copy kept from before, put
// back by someone who can write the database, with the storage pointed
// elsewhere) stay unopenable. A data directory that does not outlive the
// process (a container's, with GLOSS_SECRET_KEY) keeps no such file, and
// the second condition alone holds then.
func (s *Service) ResealEarlier(ctx context.Context, dataDir string) error {
	marker := filepath.Join(dataDir, ResealedFile)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	done := func() error {
		return os.WriteFile(marker, []byte("storage credentials are sealed to their destination\n"), 0o600)
	}
	sys := audit.Quiet(viewer.NewSystemContext(ctx))
	sts, err := s.client.Storage.Query().Where(storage.SecretsNotNil()).All(sys)
	if err != nil {
		return err
	}
	var earlier []*ent.Storage
	var plain [][]byte
	for _, st := range sts {
		if _, err := s.sealer.Open(st.Secrets, bindOfStorage(st)); err == nil {
			return done() // sealed by this release: the upgrade is done
		}
		if p, err := s.sealer.Open(st.Secrets, earlierBind(st)); err == nil {
			earlier, plain = append(earlier, st), append(plain, p)
		}
	}
	err = database.InTx(sys, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		for i, st := range earlier {
			if err := client.Storage.UpdateOneID(st.ID).SetSecrets(s.sealer.Seal(plain[i], bindOfStorage(st))).Exec(ctx); err != nil {
				return fmt.Errorf("seal storage %d's credentials again: %w", st.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return done()
}

// seal encrypts sec, or returns nil when it holds nothing.
func (s *Service) seal(sec Secrets, bind string) []byte {
	if sec == (Secrets{}) {
		return nil
	}
	b, err := json.Marshal(sec)
	if err != nil {
		panic(err) // strings always marshal
	}
	return s.sealer.Seal(b, bind)
}

// secrets opens st's credentials.
func (s *Service) secrets(st *ent.Storage) (Secrets, error) {
	var sec Secrets
	if len(st.Secrets) == 0 {
		return sec, nil
	}
	b, err := s.sealer.Open(st.Secrets, bindOfStorage(st))
	if err != nil {
		return sec, errors.New("the storage's credentials cannot be opened with this server's secret key for where the storage points; enter them again")
	}
	if err := json.Unmarshal(b, &sec); err != nil {
		return sec, errors.New("the storage's credentials are unreadable; enter them again")
	}
	return sec, nil
}

// bucket returns the Bucket of st.
func (s *Service) bucket(st *ent.Storage) (Bucket, error) {
	switch st.Kind {
	case storage.KindS3:
		sec, err := s.secrets(st)
		if err != nil {
			return nil, err
		}
		if s.http == nil {
			return nil, errors.New("outbound requests are not configured")
		}
		return newS3(S3Settings{Bucket: st.Bucket, Region: st.Settings["region"], Endpoint: st.Settings["endpoint"]}, sec, s.http), nil
	case storage.KindLOCAL:
		dir, _, err := s.local.LocalPath(st.Bucket)
		if err != nil {
			return nil, err
		}
		return &localBucket{dir: dir}, nil
	case storage.KindREDIS:
		sec, err := s.secrets(st)
		if err != nil {
			return nil, err
		}
		if s.safe == nil {
			return nil, errors.New("outbound requests are not configured")
		}
		db, _ := strconv.Atoi(st.Settings["db"])
		port := st.Settings["port"]
		if port == "" {
			port = "6379"
		}
		return newRedis(net.JoinHostPort(st.Bucket, port), db, st.Settings["tls"] == "true", sec, s.safe), nil
	case storage.KindGCS:
		sec, err := s.secrets(st)
		if err != nil {
			return nil, err
		}
		if s.http == nil {
			return nil, errors.New("outbound requests are not configured")
		}
		endpoint := st.Settings["endpoint"]
		if endpoint == "" {
			endpoint = s.gcsEmu
		}
		return newGCS(context.Background(), GCSSettings{Bucket: st.Bucket, ProjectID: st.Settings["projectId"], Endpoint: endpoint}, sec, s.http)
	case storage.KindAZURE:
		sec, err := s.secrets(st)
		if err != nil {
			return nil, err
		}
		if s.http == nil {
			return nil, errors.New("outbound requests are not configured")
		}
		return newAzure(AzureSettings{Container: st.Bucket, Account: st.Settings["account"], Endpoint: st.Settings["endpoint"]}, sec, s.http)
	}
	return nil, errors.New("this kind of storage is not available on this server yet")
}

// safeMessage is the message of err that may be shown to the person who
// configured the storage: ours, never an upstream body.
func safeMessage(err error) string {
	var se *safehttp.Error
	if errors.As(err, &se) {
		return se.Msg
	}
	if f := fault.As(err); f != nil {
		return f.Message
	}
	return err.Error()
}

// networkError turns a transport failure into a short message: the SSRF
// client's own words when it refused or failed, else a generic one.
func networkError(err error) error {
	var se *safehttp.Error
	if errors.As(err, &se) {
		return errors.New(se.Msg)
	}
	if r := tlsReason(err); r != nil {
		return r
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("the storage did not answer in time")
	}
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	return errors.New("cannot reach the storage")
}

// Check tries a storage the viewer may see with its settings and reports
// success, or a short reason (never an upstream body).
func (s *Service) Check(ctx context.Context, id int) (bool, string, error) {
	if _, err := fault.SignedIn(ctx); err != nil {
		return false, "", err
	}
	st, err := s.client.Storage.Get(ctx, id)
	if err != nil {
		return false, "", err
	}
	b, err := s.bucket(st)
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = b.Check(cctx)
		cancel()
		release(b)
	}
	if err != nil {
		return false, syncMessage(err), nil
	}
	return true, "", nil
}
