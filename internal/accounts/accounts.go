// Package accounts serves people's accounts: the owner made at first start,
// sign-up with invite links, sign-in and sign-out with throttling, password
// changes, API tokens, revoking sessions, and invites (organization links and
// role invites). The HTTP side of identity, the session cookie and the
// middleware that sets the viewer, is internal/auth's, reached through the
// Sessions interface. Who may do what is the ent privacy policies' decision
// (internal/rule); this package makes no role decision of its own.
package accounts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"entgo.io/ent/dialect/sql"
	"golang.org/x/text/unicode/norm"

	"gloss/ent"
	"gloss/ent/apitoken"
	"gloss/ent/auditevent"
	"gloss/ent/invite"
	"gloss/ent/membership"
	"gloss/ent/organization"
	"gloss/ent/predicate"
	"gloss/ent/session"
	"gloss/ent/user"
	"gloss/internal/audit"
	"gloss/internal/database"
	"gloss/internal/fault"
	"gloss/internal/password"
	"gloss/internal/rule"
	"gloss/internal/secret"
	"gloss/internal/viewer"
)

// DefaultOrganizationTitle is the title of the organization made at first start.
const DefaultOrganizationTitle = "Default organization"

// sealInvite is the purpose under which invite tokens are sealed.
const sealInvite = "invite-token"

// Sessions is what accounts needs of the HTTP side of identity, the request
// exchange that ctx carries (internal/auth implements it): starting a session
// for a user who signed in or up, replacing the request's old one; ending the
// request's session (false when ctx carries no exchange); and the client
// address and origin of the request ("" without an exchange).
type Sessions interface {
	StartSession(ctx context.Context, userID int) error
	EndSession(ctx context.Context) (ended bool, err error)
	RequestAddress(ctx context.Context) string
	RequestOrigin(ctx context.Context) string
}

// Service holds what the accounts service needs.
type Service struct {
	client     *ent.Client
	key        secret.Key
	tokens     secret.TokenHasher // of key: how API tokens are stored
	sessions   Sessions
	publicURL  string // empty: derive from the request
	openSignup bool
	log        *slog.Logger
	audit      *audit.Log
	dialect    string
}

// Options configure a Service.
type Options struct {
	Key        secret.Key
	PublicURL  string // GLOSS_PUBLIC_URL, may be empty
	OpenSignup bool   // LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=false
	Logger     *slog.Logger
	Audit      *audit.Log
	Dialect    string // the database's dialect (database.DB.Dialect); empty means SQLite
}

// NewService returns a Service over client that starts and ends sessions
// through sessions.
func NewService(client *ent.Client, sessions Sessions, o Options) *Service {
	return &Service{
		client:     client,
		key:        o.Key,
		tokens:     o.Key.TokenHasher(),
		sessions:   sessions,
		publicURL:  o.PublicURL,
		openSignup: o.OpenSignup,
		log:        o.Logger,
		audit:      o.Audit,
		dialect:    o.Dialect,
	}
}

// NormalizeEmail checks an email address and returns it in the one form
// accounts are kept and looked up in: composed (Unicode NFC) and
// lower-cased. An address with a character that shows nothing (a
// zero-width space or joiner, a direction override, a byte order mark, a
// control) is refused: net/mail admits them, and one such character made an
// address that reads exactly like a member's, to admins and (as the display
// name) to every member, an account of its own.
func NormalizeEmail(email string) (string, error) {
	email = norm.NFC.String(strings.TrimSpace(email))
	if email == "" {
		return "", fault.Invalid("email is required")
	}
	if len(email) > 254 {
		return "", fault.Invalid("email must be at most 254 characters")
	}
	if strings.IndexFunc(email, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return "", fault.Invalid("email must not contain invisible or control characters")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email, "@") {
		return "", fault.Invalid("%q is not a valid email address", email)
	}
	return strings.ToLower(email), nil
}

// NewEmail is NormalizeEmail for an address an account is created with,
// which must also not mix scripts within a part (see mixedScripts): a
// Cyrillic "о" in "оwner@example.com" made an account that reads exactly
// like the owner's, to admins and (as the display name) to every member.
// Sign-in still looks addresses up by NormalizeEmail alone, so an account
// made before keeps signing in.
func NewEmail(email string) (string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if part, scripts := mixedScripts(email); part != "" {
		return "", fault.Invalid("email %q mixes scripts in %q (%s): such an address can read exactly like another", email, part, strings.Join(scripts, " and "))
	}
	return email, nil
}

// mixedScripts returns the first part of email (its local part, or a label
// of its domain) whose letters are of more than one script, with those
// scripts; "" when there is none. Digits and punctuation (Unicode's Common
// and Inherited) go with any script, and so do the mixes Unicode's
// "highly restrictive" level allows (UTS #39): Latin with Han and Japanese
// kana, with Han and Bopomofo, or with Han and Hangul. A part all in one
// script other than Latin may still look like a Latin one: that is a
// whole word made of lookalikes, far rarer than one letter swapped.
func mixedScripts(email string) (string, []string) {
	local, domain, _ := strings.Cut(email, "@")
	for _, part := range append([]string{local}, strings.Split(domain, ".")...) {
		seen := map[string]bool{}
		for _, r := range part {
			if name := scriptOf(r); name != "" {
				seen[name] = true
			}
		}
		if len(seen) <= 1 || allowedMix(seen) {
			continue
		}
		return part, slices.Sorted(maps.Keys(seen))
	}
	return "", nil
}

// allowedMix reports whether scripts are one of the mixes UTS #39's highly
// restrictive level allows.
func allowedMix(scripts map[string]bool) bool {
	for _, mix := range [][]string{
		{"Latin", "Han", "Hiragana", "Katakana"},
		{"Latin", "Han", "Bopomofo"},
		{"Latin", "Han", "Hangul"},
	} {
		all := true
		for name := range scripts {
			all = all && slices.Contains(mix, name)
		}
		if all {
			return true
		}
	}
	return false
}

// scriptOf returns the name of r's script, or "" for Common and Inherited
// (digits, punctuation, combining marks) and what is in none.
func scriptOf(r rune) string {
	if r < 0x80 {
		if unicode.IsLetter(r) {
			return "Latin"
		}
		return ""
	}
	for name, table := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// ActWhereTheyBelong makes the users (all, or those of users) whose
// active organization is one they no longer belong to act in their oldest
// remaining organization, or in none. A user's active organization is
// where what they do outside one (signing in, failing to) is recorded:
// left as it was, a removed member's sign-ins, with their address, kept
// going to the audit log of the organization that removed them. Call it in
// the transaction that deletes memberships, after the deletion.
func ActWhereTheyBelong(ctx context.Context, client *ent.Client, users ...int) error {
	u := client.User.Update().Where(user.ActiveOrganizationIDNotNil(), func(s *sql.Selector) {
		m := sql.Table(membership.Table)
		s.Where(sql.Not(sql.Exists(sql.Select(m.C(membership.FieldID)).From(m).Where(sql.And(
			sql.ColumnsEQ(m.C(membership.FieldUserID), s.C(user.FieldID)),
			sql.ColumnsEQ(m.C(membership.FieldOrganizationID), s.C(user.FieldActiveOrganizationID)),
		)))))
	})
	if len(users) > 0 {
		u.Where(user.IDIn(users...))
	}
	_, err := u.Modify(func(b *sql.UpdateBuilder) {
		m := sql.Table(membership.Table)
		oldest := sql.Select(m.C(membership.FieldOrganizationID)).From(m).
			Where(sql.ColumnsEQ(m.C(membership.FieldUserID), sql.Table(user.Table).C(user.FieldID))).
			OrderBy(m.C(membership.FieldID)).Limit(1)
		b.Set(user.FieldActiveOrganizationID, sql.ExprFunc(func(b *sql.Builder) { b.Wrap(func(b *sql.Builder) { b.Join(oldest) }) }))
	}).Save(audit.Quiet(viewer.NewSystemContext(ctx)))
	return err
}

// normalizeStoredEmails brings the accounts that a release before
// NormalizeEmail stored under another form of their address to the form
// sign-in looks up. An address stored decomposed ("jose" + U+0301) is
// composed, so its owner signs in again. One that cannot be (its composed
// form is another account's, or it holds a character that shows nothing,
// which no form makes safe) reads like another member's address: the
// account is deactivated as an admin would (its sessions and API token
// end, as they would have for a sign-up refused today) and the warning
// names it. Each change is one audit event. It runs at start-up, under the
// start-up lock; an instance's accounts are few, and all of them are read.
func (s *Service) normalizeStoredEmails(ctx context.Context, client *ent.Client) error {
	users, err := client.User.Query().Select(user.FieldEmail, user.FieldActive, user.FieldActiveOrganizationID).All(ctx)
	if err != nil {
		return err
	}
	quiet := audit.Quiet(ctx) // one event per account, below
	for _, u := range users {
		normal, invalid := NormalizeEmail(u.Email)
		if invalid == nil && normal == u.Email {
			continue
		}
		if invalid == nil {
			taken, err := client.User.Query().Where(user.Email(normal), user.IDNEQ(u.ID)).Exist(ctx)
			if err != nil {
				return err
			}
			if !taken {
				if err := client.User.UpdateOneID(u.ID).SetEmail(normal).Exec(quiet); err != nil {
					return err
				}
				s.log.Info("email stored by an earlier release normalized", slog.Int("user", u.ID), slog.String("email", normal))
				if err := s.audit.Record(ctx, audit.Event{Action: "user.email_normalized", TargetType: "User", TargetID: itoa(u.ID),
					OrgID: u.ActiveOrganizationID, Details: map[string]any{"email": normal}}); err != nil {
					return err
				}
				continue
			}
			invalid = fmt.Errorf("it reads as %s, the address of another account", normal)
		}
		if !u.Active {
			continue
		}
		if err := client.User.UpdateOneID(u.ID).SetActive(false).Exec(quiet); err != nil {
			return err
		}
		if _, err := client.Session.Delete().Where(session.UserID(u.ID)).Exec(quiet); err != nil {
			return err
		}
		if _, err := client.APIToken.Delete().Where(apitoken.UserID(u.ID)).Exec(quiet); err != nil {
			return err
		}
		reason := invalid.Error()
		s.log.Warn("account deactivated: its email, stored by an earlier release, reads like another address",
			slog.Int("user", u.ID), slog.String("email", strconv.QuoteToASCII(u.Email)), slog.String("reason", reason))
		if err := s.audit.Record(ctx, audit.Event{Action: "user.deactivated", TargetType: "User", TargetID: itoa(u.ID),
			OrgID: u.ActiveOrganizationID, Details: map[string]any{"reason": "email stored by an earlier release: " + reason}}); err != nil {
			return err
		}
	}
	return nil
}

// keyEarlierTokenHashes keys the API token and session hashes, and the
// start-up token records, that an earlier release stored as plain SHA-256
// (secret.TokenHasher.Rekey), so its tokens and sessions keep working and
// none stays guessable offline by whoever reads the database. It runs at
// start-up, under the start-up lock, before anything reads them, and the
// whole is one audit event.
//
// It keys only at the first start of this release: while the database holds
// no keyed hash and no such event. Later, a plain hash (written by a process
// of the earlier release left running, or planted by whoever can write the
// database, to make a token of their own) stays as it is, and the keyed
// lookup never finds it. Keyed at every start, a planted hash became a
// working token at the next restart.
func (s *Service) keyEarlierTokenHashes(ctx context.Context, client *ent.Client) error {
	length := func(col, op string) func(*sql.Selector) {
		return func(sel *sql.Selector) {
			sel.Where(sql.P(func(b *sql.Builder) {
				b.WriteString("LENGTH(" + sel.C(col) + ") " + op + " ").Arg(sha256.Size)
			}))
		}
	}
	plain := func(col string) func(*sql.Selector) { return length(col, "=") }
	keyed := func(col string) func(*sql.Selector) { return length(col, "<>") }
	for _, exist := range []func() (bool, error){
		func() (bool, error) { return client.APIToken.Query().Where(keyed(apitoken.FieldTokenHash)).Exist(ctx) },
		func() (bool, error) { return client.Session.Query().Where(keyed(session.FieldTokenHash)).Exist(ctx) },
		func() (bool, error) { return client.User.Query().Where(keyed(user.FieldStartupTokenHash)).Exist(ctx) },
		func() (bool, error) {
			return client.AuditEvent.Query().Where(auditevent.Action(actionTokensKeyed)).Exist(ctx)
		},
	} {
		if done, err := exist(); err != nil || done {
			return err
		}
	}
	tokens := s.tokens
	quiet := audit.Quiet(ctx) // one event for all, below
	apiTokens, err := client.APIToken.Query().Where(plain(apitoken.FieldTokenHash)).
		Select(apitoken.FieldTokenHash).All(ctx)
	if err != nil {
		return err
	}
	for _, t := range apiTokens {
		keyed := tokens.Rekey(t.TokenHash)
		err := client.APIToken.Update().Where(apitoken.ID(t.ID), apitoken.TokenHash(t.TokenHash)).
			Modify(func(u *sql.UpdateBuilder) { u.Set(apitoken.FieldTokenHash, keyed) }).Exec(quiet)
		if err != nil {
			return fmt.Errorf("key API token %d: %w", t.ID, err)
		}
	}
	sessions, err := client.Session.Query().Where(plain(session.FieldTokenHash)).
		Select(session.FieldTokenHash).All(ctx)
	if err != nil {
		return err
	}
	for _, t := range sessions {
		keyed := tokens.Rekey(t.TokenHash)
		err := client.Session.Update().Where(session.ID(t.ID), session.TokenHash(t.TokenHash)).
			Modify(func(u *sql.UpdateBuilder) { u.Set(session.FieldTokenHash, keyed) }).Exec(quiet)
		if err != nil {
			return fmt.Errorf("key session %d: %w", t.ID, err)
		}
	}
	users, err := client.User.Query().Where(plain(user.FieldStartupTokenHash)).
		Select(user.FieldStartupTokenHash).All(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		err := client.User.Update().Where(user.ID(u.ID), user.StartupTokenHash(*u.StartupTokenHash)).
			SetStartupTokenHash(tokens.Rekey(*u.StartupTokenHash)).Exec(quiet)
		if err != nil {
			return fmt.Errorf("key the start-up token record of user %d: %w", u.ID, err)
		}
	}
	if len(apiTokens)+len(sessions)+len(users) > 0 {
		s.log.Info("keyed the token hashes an earlier release stored as plain SHA-256",
			slog.Int("api_tokens", len(apiTokens)), slog.Int("sessions", len(sessions)))
	}
	// Recorded even when there was nothing to key (a new install): the
	// event is what says that keying is done, and without it a database
	// with no keyed hash yet (nobody signed in, no token reset) would key
	// a plain hash planted in it at the next start.
	return s.audit.Record(ctx, audit.Event{Action: actionTokensKeyed,
		Details: map[string]any{"api_tokens": len(apiTokens), "sessions": len(sessions), "startup_tokens": len(users)}})
}

// actionTokensKeyed is the audit event of keyEarlierTokenHashes.
const actionTokensKeyed = "token_hashes.keyed"

// defaultOrganization returns the instance's default organization, creating
// it on first use.
func (s *Service) defaultOrganization(ctx context.Context, client *ent.Client) (*ent.Organization, error) {
	org, err := client.Organization.Query().Where(organization.IsDefault(true)).First(ctx)
	if ent.IsNotFound(err) {
		return client.Organization.Create().SetTitle(DefaultOrganizationTitle).SetIsDefault(true).Save(ctx)
	}
	return org, err
}

// hasOwner reports whether the organization has an owner.
func hasOwner(ctx context.Context, client *ent.Client, orgID int) (bool, error) {
	return client.Membership.Query().
		Where(membership.OrganizationID(orgID), membership.RoleEQ(membership.RoleOwner)).
		Exist(ctx)
}

// Bootstrap creates the owner account given at start (--username or
// LABEL_STUDIO_USERNAME) if it does not exist, and sets its API token when
// one is given. It returns the one-time setup link when the instance has no
// account yet and none was given, else "".
func (s *Service) Bootstrap(ctx context.Context, baseURL, email, pw, token string) (string, error) {
	// System context: start-up work that runs before anyone signs in.
	ctx = viewer.NewSystemContext(ctx)
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return "", err
	}
	ctx = ent.NewTxContext(ctx, tx) // the audit hook writes within it
	link, err := s.bootstrap(ctx, tx.Client(), baseURL, email, pw, token)
	if err != nil {
		_ = tx.Rollback()
		return "", err
	}
	return link, tx.Commit()
}

func (s *Service) bootstrap(ctx context.Context, client *ent.Client, baseURL, email, pw, token string) (string, error) {
	if err := s.keyEarlierTokenHashes(ctx, client); err != nil {
		return "", fmt.Errorf("token hashes stored by an earlier release: %w", err)
	}
	if err := s.normalizeStoredEmails(ctx, client); err != nil {
		return "", fmt.Errorf("emails stored by an earlier release: %w", err)
	}
	// An earlier release left a removed member's active organization as
	// it was.
	if err := ActWhereTheyBelong(ctx, client); err != nil {
		return "", fmt.Errorf("active organizations of removed members: %w", err)
	}
	org, err := s.defaultOrganization(ctx, client)
	if err != nil {
		return "", fmt.Errorf("default organization: %w", err)
	}
	if email != "" {
		email, err := NormalizeEmail(email)
		if err != nil {
			return "", fmt.Errorf("--username: %w", err)
		}
		u, err := client.User.Query().Where(user.Email(email)).Only(ctx)
		created := false
		if ent.IsNotFound(err) {
			created = true
			// No owner yet: the organization's link, if one was printed
			// as the one-time setup link, would now make annotators of
			// whoever read it in a log. It dies, as the setup link does.
			owned, err := hasOwner(ctx, client, org.ID)
			if err != nil {
				return "", err
			}
			if _, err := NewEmail(email); err != nil {
				return "", fmt.Errorf("--username: %w", err)
			}
			if err := password.Check(pw); err != nil {
				return "", fmt.Errorf("--password: %w", err)
			}
			hash, err := password.Hash(ctx, pw)
			if err != nil {
				return "", err
			}
			u, err = client.User.Create().SetEmail(email).SetPasswordHash(hash).SetActiveOrganizationID(org.ID).Save(ctx)
			if err != nil {
				return "", fmt.Errorf("create owner: %w", err)
			}
			if err := client.Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).SetRole(membership.RoleOwner).Exec(ctx); err != nil {
				return "", fmt.Errorf("create owner membership: %w", err)
			}
			s.log.Info("created owner account", slog.String("email", email))
			if !owned || org.InviteTokenSealed == nil || len(*org.InviteTokenSealed) == 0 {
				// Every organization has an annotator link from the start.
				if _, err := s.resetInvite(ctx, client, org.ID); err != nil {
					return "", err
				}
			}
		} else if err != nil {
			return "", err
		}
		if token != "" {
			if err := s.startupToken(ctx, client, u, created, token); err != nil {
				return "", fmt.Errorf("set API token: %w", err)
			}
		}
	}
	owned, err := hasOwner(ctx, client, org.ID)
	if err != nil || owned {
		return "", err
	}
	if n, err := client.User.Query().Count(ctx); err != nil || n > 0 {
		return "", err
	}
	// No account at all: the setup link is the org's invite link, which
	// makes its first user the owner. Replicas starting together (one after
	// the other under the start-up lock) print the same link; a new one is
	// issued only when there is none or this process cannot open it (a
	// different GLOSS_SECRET_KEY), and then any older one dies.
	if org.InviteTokenSealed != nil && len(*org.InviteTokenSealed) > 0 {
		if tok, err := s.key.Open(sealInvite, *org.InviteTokenSealed); err == nil {
			return inviteURL(baseURL, string(tok)), nil
		}
	}
	tok, err := s.resetInvite(ctx, client, org.ID)
	if err != nil {
		return "", err
	}
	return inviteURL(baseURL, tok), nil
}

func inviteURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/signup?invite=" + token
}

// Invite is what an invite token leads to.
type Invite struct {
	Organization *ent.Organization
	Setup        bool            // the one-time link that creates the owner
	Role         membership.Role // the role a new member gets
	ProjectID    *int            // a project the new member joins, if any
	roleInvite   *ent.Invite     // the role invite, when it is one (nil for the organization's link)
}

// LookupInvite returns what token leads to, or nil when it is not valid.
func (s *Service) LookupInvite(ctx context.Context, token string) (*Invite, error) {
	return s.lookupInvite(ctx, database.ClientFrom(ctx, s.client), token)
}

func (s *Service) lookupInvite(ctx context.Context, client *ent.Client, token string) (*Invite, error) {
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	// System context: an invite token is a capability that anonymous callers
	// present; the lookup must find the organization it belongs to.
	ctx = viewer.NewSystemContext(ctx)
	hash := secret.Hash(token)
	org, err := client.Organization.Query().Where(organization.InviteTokenHash(hash)).Only(ctx)
	if ent.IsNotFound(err) {
		return s.lookupRoleInvite(ctx, client, hash)
	}
	if err != nil {
		return nil, err
	}
	// The link is the one-time setup link, which makes its first user the
	// owner, only while the organization has no member at all (a fresh
	// instance). One whose owners are gone (a state the role rules keep it
	// out of) keeps an annotator link: losing its owners must not hand the
	// organization to whoever holds the link.
	members, err := client.Membership.Query().Where(membership.OrganizationID(org.ID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if !members {
		return &Invite{Organization: org, Setup: true, Role: membership.RoleOwner}, nil
	}
	return &Invite{Organization: org, Role: membership.RoleAnnotator}, nil
}

// lookupRoleInvite finds a live role invite: not revoked, not expired, not
// used up, and its creator still in standing to make it (inviteStanding).
func (s *Service) lookupRoleInvite(sys context.Context, client *ent.Client, hash []byte) (*Invite, error) {
	inv, err := client.Invite.Query().
		Where(invite.TokenHash(hash), invite.Revoked(false),
			invite.Or(invite.ExpiresAtIsNil(), invite.ExpiresAtGT(time.Now()))).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if max := InviteMaxUses(inv); max != nil && inv.UseCount >= *max {
		return nil, nil
	}
	standing, err := client.Membership.Query().
		Where(inviteStanding(inv)...).
		Exist(sys)
	if err != nil || !standing {
		return nil, err
	}
	org, err := client.Organization.Get(sys, inv.OrganizationID)
	if err != nil {
		return nil, err
	}
	return &Invite{Organization: org, Role: membership.Role(inv.Role), ProjectID: inv.ProjectID, roleInvite: inv}, nil
}

// inviteStanding are the conditions on a membership that keep an invite
// alive: an invite is only as good as its creator's current standing. The
// creator must be active, still a member of the invite's organization, and
// still hold a role that may make such an invite (rule.InviterRoles), so an
// invite dies when its creator is demoted below the role it grants.
func inviteStanding(inv *ent.Invite) []predicate.Membership {
	return []predicate.Membership{
		membership.UserID(inv.CreatedByID),
		membership.OrganizationID(inv.OrganizationID),
		membership.RoleIn(rule.InviterRoles(inv.Role)...),
		membership.HasUserWith(user.Active(true)),
	}
}

// InviteMaxUses returns how many people inv admits, or nil for no limit.
// Owner and admin invites made without a count (including those made before
// counts existed) admit one.
func InviteMaxUses(inv *ent.Invite) *int {
	if inv.MaxUses != nil {
		return inv.MaxUses
	}
	if inv.Role == invite.RoleOwner || inv.Role == invite.RoleAdmin {
		one := 1
		return &one
	}
	return nil
}

// useInvite counts one sign-up against a role invite, atomically: the
// UPDATE only matches while the invite is unrevoked and has a use left
// (use_count < max), so of two concurrent sign-ups on a last use exactly one
// gets it. It runs in the sign-up's transaction, so a sign-up that fails
// later gives the use back.
func useInvite(sys context.Context, client *ent.Client, inv *ent.Invite) error {
	u := client.Invite.Update().Where(invite.ID(inv.ID), invite.Revoked(false))
	if max := InviteMaxUses(inv); max != nil {
		u.Where(invite.UseCountLT(*max))
	}
	n, err := u.AddUseCount(1).Save(sys)
	if err != nil {
		return err
	}
	if n == 0 {
		return errInviteGone
	}
	return nil
}

var errInviteGone = fault.Invalid("this invite link is not valid or has been replaced; ask for a new one")

// MaxInviteUses is the largest use count an invite may be made with.
const MaxInviteUses = 1000

// CreateInvite makes an invite link into the viewer's organization with a
// role, optionally a project, optionally an expiry, and optionally a use
// count (uses; nil means one person for owner and admin invites and no limit
// for the others). Only owners invite owners. The URL is returned once; the
// token is kept only as a hash.
func (s *Service) CreateInvite(ctx context.Context, role membership.Role, projectID *int, expiresIn *time.Duration, uses *int) (*ent.Invite, string, error) {
	// Who may invite, and to which role, is the invite policy's decision
	// (internal/rule): owners invite owners, owners and admins the rest.
	v, err := fault.SignedIn(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := membership.RoleValidator(role); err != nil {
		return nil, "", fault.Invalid("%q is not a role", role)
	}
	client := database.ClientFrom(ctx, s.client)
	if projectID != nil {
		if _, err := client.Project.Get(ctx, *projectID); err != nil {
			return nil, "", err
		}
	}
	c := client.Invite.Create().SetOrganizationID(v.OrgID).SetCreatedByID(v.UserID).
		SetRole(invite.Role(role)).SetNillableProjectID(projectID)
	if expiresIn != nil {
		if *expiresIn <= 0 || *expiresIn > 365*24*time.Hour {
			return nil, "", fault.Invalid("an invite expires in 1 hour to 365 days")
		}
		c.SetExpiresAt(time.Now().Add(*expiresIn))
	}
	switch {
	case uses != nil && (*uses < 1 || *uses > MaxInviteUses):
		return nil, "", fault.Invalid("an invite admits 1 to %d people", MaxInviteUses)
	case uses != nil:
		c.SetMaxUses(*uses)
	case role == membership.RoleOwner || role == membership.RoleAdmin:
		c.SetMaxUses(1)
	}
	token := secret.NewToken()
	inv, err := c.SetTokenHash(secret.Hash(token)).Save(ctx)
	if err != nil {
		return nil, "", err
	}
	s.record(ctx, audit.Event{Action: "invite.created", TargetType: "Invite", TargetID: itoa(inv.ID),
		Details: map[string]any{"role": string(role), "max_uses": inv.MaxUses}})
	return inv, inviteURL(s.BaseURL(ctx), token), nil
}

// RevokeInvite ends a role invite at once.
func (s *Service) RevokeInvite(ctx context.Context, id int) (*ent.Invite, error) {
	// The invite policy scopes the update to the viewer's organization's
	// invites, for owners and admins only.
	inv, err := database.ClientFrom(ctx, s.client).Invite.UpdateOneID(id).SetRevoked(true).Save(ctx)
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Event{Action: "invite.revoked", TargetType: "Invite", TargetID: itoa(id)})
	return inv, nil
}

// SignupOpen reports whether people may sign up without an invite link.
func (s *Service) SignupOpen() bool { return s.openSignup }

// Signup creates an account from email and password, joins it to the
// organization of the invite token (or the default organization when signup
// is open), and signs it in. The first account made through the setup link
// becomes the owner, and the link dies.
func (s *Service) Signup(ctx context.Context, email, pw, inviteToken string) (*ent.User, error) {
	key := signupKey(s.sessions.RequestAddress(ctx))
	typed := email
	email, err := NewEmail(email)
	if err != nil {
		if lookalike(typed) {
			// An address that reads like another is an attempt at a
			// member's name: recorded, and so counted as a refusal, else
			// the audit log took one event per request.
			if rerr := s.reserve(ctx, key); rerr != nil {
				return nil, rerr
			}
			s.recordRefusal(ctx, typed, inviteToken, err)
		}
		return nil, err
	}
	if err := password.Check(pw); err != nil {
		return nil, err
	}
	// A refusal says whether the email has an account or the invite token
	// is good: the refusals of one address are limited, each reserved (one
	// atomic statement) before it is answered, so a burst gets no more
	// answers than the limit. They are decided before the password is
	// hashed, so they cost no hash either; sign-ups that succeed are not
	// counted (a class signing up at once from one network). An address
	// whose refusals are used up is refused every sign-up until its window
	// ends: let through, a sign-up's success beside another's RATE_LIMITED
	// told whether an email has an account, without end.
	if err := s.usedUp(ctx, key); err != nil {
		return nil, err
	}
	if err := s.refusal(ctx, email, inviteToken); err != nil {
		if fault.As(err) == nil {
			return nil, err // the server's, not a refusal
		}
		if rerr := s.reserve(ctx, key); rerr != nil {
			return nil, rerr
		}
		s.recordRefusal(ctx, email, inviteToken, err)
		return nil, err
	}
	// Hashed before the transaction opens: the write lock is never held
	// for the hash's time and memory.
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	var u *ent.User
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		var err error
		u, err = s.signup(ctx, email, hash, inviteToken)
		return err
	})
	if err != nil {
		if fault.As(err) != nil {
			// Refused after all (what refusal read changed meanwhile):
			// counted, and recorded, as well.
			if s.reserve(ctx, key) == nil {
				s.recordRefusal(ctx, email, inviteToken, err)
			}
		}
		return nil, err
	}
	return u, nil
}

// lookalike reports whether typed is an email address refused because it
// can read exactly like another: one with a character that shows nothing,
// or mixing scripts within a part. Other refusals (not an address at all,
// which may be a password typed into the wrong box) are not.
func lookalike(typed string) bool {
	visible := strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, norm.NFC.String(strings.TrimSpace(typed)))
	email, err := NormalizeEmail(visible)
	if err != nil {
		return false
	}
	part, _ := mixedScripts(email)
	return visible != norm.NFC.String(strings.TrimSpace(typed)) || part != ""
}

// recordRefusal records a refused sign-up worth an event, filed where no
// one learns from it whether an email has an account: an address that
// reads like another (lookalike) under the organization the sign-up would
// have joined; a dead invite (revoked, expired, used up, its creator out of
// standing) under the invite's organization; an email that has an account
// under that account's organization, as a failed sign-in at it is, never
// under the invite's (whose admins would learn of an account elsewhere)
// nor the caller's. An invite token that names nothing, or none where one
// is needed, is no event: nothing to file it under, and it says nothing.
// Sign-ups refused for their address's rate are not recorded: the refusals
// that used it up were.
func (s *Service) recordRefusal(ctx context.Context, email, inviteToken string, refused error) {
	// System context: the caller (signed in, maybe) is neither the actor
	// nor where the event is filed.
	sys := viewer.NewSystemContext(ctx)
	e := audit.Event{Action: "signup.refused"}
	switch {
	case errors.Is(refused, errAccountExists):
		u, err := s.client.User.Query().Where(user.Email(email)).Only(sys)
		if err != nil {
			return
		}
		e.TargetType, e.TargetID, e.OrgID = "User", itoa(u.ID), u.ActiveOrganizationID
		e.Details = map[string]any{"reason": "account_exists", "email": email}
	case errors.Is(refused, errInviteGone):
		if inviteToken == "" || len(inviteToken) > 128 {
			return
		}
		inv, err := s.client.Invite.Query().Where(invite.TokenHash(secret.Hash(inviteToken))).Only(sys)
		if err != nil {
			return
		}
		e.TargetType, e.TargetID, e.OrgID = "Invite", itoa(inv.ID), &inv.OrganizationID
		e.Details = map[string]any{"reason": "invite_dead", "email": email}
	case lookalike(email):
		e.Details = map[string]any{"reason": "lookalike_email", "email": strconv.QuoteToASCII(email)}
		if inviteToken != "" {
			if inv, err := s.lookupInvite(ctx, s.client, inviteToken); err == nil && inv != nil {
				e.OrgID = &inv.Organization.ID
			}
		} else if s.openSignup {
			if org, err := s.client.Organization.Query().Where(organization.IsDefault(true)).First(sys); err == nil {
				e.OrgID = &org.ID
			}
		}
	default:
		return
	}
	// One event per target (the account, the invite, the organization)
	// per throttle window: anyone with an invite of their own can try a
	// member's email at the rate their addresses allow, and each event
	// would be written into the member's organization's log.
	target := e.TargetType + ":" + e.TargetID
	if e.TargetType == "" && e.OrgID != nil {
		target = "Organization:" + itoa(*e.OrgID)
	}
	if ok, err := s.take(sys, throttleKey{throttleKeyRefused + target, 1}, time.Now().UTC()); err == nil && !ok {
		return
	}
	s.record(sys, e)
}

// refusal is why a sign-up would be refused, read before the password is
// hashed: an invite token that is no good, none where one is needed, or an
// email that has an account. The sign-up decides again in its transaction.
func (s *Service) refusal(ctx context.Context, email, inviteToken string) error {
	switch {
	case inviteToken != "":
		inv, err := s.lookupInvite(ctx, s.client, inviteToken)
		if err != nil {
			return err
		}
		if inv == nil {
			return errInviteGone
		}
	case !s.openSignup:
		return errInviteNeeded
	}
	exists, err := s.client.User.Query().Where(user.Email(email)).Exist(viewer.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	if exists {
		return errAccountExists
	}
	return nil
}

var (
	errInviteNeeded  = fault.Invalid("signup needs an invite link; ask an organization admin for one")
	errAccountExists = fault.Invalid("an account with this email already exists; sign in instead")
)

func (s *Service) signup(ctx context.Context, email, hash, inviteToken string) (*ent.User, error) {
	client := database.ClientFrom(ctx, s.client)
	var err error
	var org *ent.Organization
	role := membership.RoleAnnotator
	setup := false
	var joinProject *int
	var used *ent.Invite // the role invite this sign-up uses up, if any
	switch {
	case inviteToken != "":
		inv, err := s.lookupInvite(ctx, client, inviteToken)
		if err != nil {
			return nil, err
		}
		if inv == nil {
			return nil, errInviteGone
		}
		org, setup, role, joinProject = inv.Organization, inv.Setup, inv.Role, inv.ProjectID
		used = inv.roleInvite
	case s.openSignup:
		// System context: open signup joins the default organization.
		org, err = s.defaultOrganization(viewer.NewSystemContext(ctx), client)
		if err != nil {
			return nil, err
		}
		owned, err := hasOwner(viewer.NewSystemContext(ctx), client, org.ID)
		if err != nil {
			return nil, err
		}
		if !owned {
			return nil, fault.Invalid("this instance has no owner yet: use the setup link printed when Gloss started")
		}
	default:
		return nil, errInviteNeeded
	}
	// System context: the new account does not exist yet, so no viewer can
	// create it; the checks above are what authorize this.
	sys := viewer.NewSystemContext(ctx)
	if exists, err := client.User.Query().Where(user.Email(email)).Exist(sys); err != nil {
		return nil, err
	} else if exists {
		return nil, errAccountExists
	}
	if used != nil {
		if err := useInvite(sys, client, used); err != nil {
			return nil, err
		}
	}
	u, err := client.User.Create().SetEmail(email).SetPasswordHash(hash).SetActiveOrganizationID(org.ID).Save(sys)
	if err != nil {
		return nil, err
	}
	if err := client.Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).SetRole(role).Exec(sys); err != nil {
		return nil, err
	}
	if joinProject != nil {
		if err := client.ProjectMember.Create().SetOrganizationID(org.ID).SetUserID(u.ID).SetProjectID(*joinProject).Exec(sys); err != nil {
			return nil, err
		}
	}
	if setup {
		if err := s.retireSetupLink(sys, client, org.ID, inviteToken); err != nil {
			return nil, err
		}
	}
	if err := s.sessions.StartSession(ctx, u.ID); err != nil {
		return nil, err
	}
	details := map[string]any{"role": string(role), "setup": setup}
	if used != nil {
		details["invite"] = itoa(used.ID)
	}
	s.record(ctx, audit.Event{Action: "signup", ActorID: &u.ID, OrgID: &org.ID, TargetType: "User", TargetID: itoa(u.ID),
		Details: details})
	return u, nil
}

// Login checks email and password and starts a new session, replacing the
// request's old one. Attempts are reserved per account and per client
// address before the password is compared, and refused with RATE_LIMITED
// past a limit; an unknown email reads and costs exactly like a wrong
// password.
func (s *Service) Login(ctx context.Context, email, pw string) (*ent.User, error) {
	addr := s.sessions.RequestAddress(ctx)
	// What is not an email address is no account's, and is not looked up
	// (PostgreSQL refuses a NUL in a query's text); it is still throttled.
	key, invalid := NormalizeEmail(email)
	if invalid != nil {
		key = strings.ToLower(strings.TrimSpace(email))
	}
	account, address := accountKey(key), addressKey(addr)
	// System context: sign-in looks up the account before anyone is signed
	// in. Its events are filed with it too: under the organization of the
	// account tried, or none, never under the caller's (who may be signed
	// in already), which told a caller reading their own organization's
	// log whether an email has an account.
	sys := viewer.NewSystemContext(ctx)
	// Reserve before the password is compared: a concurrent burst gets no
	// more checks than the limits allow. A failure keeps its reservation.
	if err := s.reserve(ctx, address, account); err != nil {
		// Only the first refusal of a key's window is recorded: one event
		// per request let whoever hammers an account flood its
		// organization's log.
		var refused *refusedBy
		if errors.As(err, &refused) && refused.first {
			e := audit.Event{Action: "login.throttled", Details: attemptedEmail(email)}
			if invalid == nil && refused.key == account {
				// The account is locked out (not the address): its
				// administrators see it.
				if u, err := s.client.User.Query().Where(user.Email(key)).Only(sys); err == nil {
					e.TargetType, e.TargetID, e.OrgID = "User", itoa(u.ID), u.ActiveOrganizationID
				}
			}
			s.record(sys, e)
		}
		return nil, err
	}
	wrong := fault.New(fault.Unauthenticated, "the email or password is not correct")
	var u *ent.User
	var err error = &ent.NotFoundError{}
	if invalid == nil {
		u, err = s.client.User.Query().Where(user.Email(key)).Only(sys)
	}
	if ent.IsNotFound(err) || len(pw) > 4*password.MaxLength {
		password.Waste(ctx, pw)
		s.record(sys, audit.Event{Action: "login.failed", Details: attemptedEmail(email)})
		return nil, wrong
	}
	if err != nil {
		return nil, err
	}
	ok, err := password.Verify(ctx, u.PasswordHash, pw)
	if err != nil {
		return nil, err
	}
	if !ok || !u.Active {
		s.record(sys, audit.Event{Action: "login.failed", TargetType: "User", TargetID: itoa(u.ID), OrgID: u.ActiveOrganizationID,
			Details: map[string]any{"email": u.Email, "deactivated": !u.Active}})
		return nil, wrong
	}
	// The session is stored only while the account is still as it was
	// checked, the user's row locked (PostgreSQL; on SQLite the write
	// transaction holds the writer): a password change or deactivation
	// that committed while the hash was compared ends this sign-in, and
	// one that comes later ends its session with the others. Stored
	// unconditionally, a sign-in with the old password that overlapped a
	// change kept its session.
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		client := database.ClientFrom(ctx, s.client)
		now, err := client.User.Query().Where(user.ID(u.ID)).Modify(database.ForUpdate).
			Select(user.FieldPasswordHash, user.FieldActive).Only(viewer.NewSystemContext(ctx))
		if err != nil {
			return err
		}
		if now.PasswordHash != u.PasswordHash || !now.Active {
			return wrong
		}
		// The right password: this attempt was no failure of the
		// address's, and the account's failures are forgotten; the session
		// starts, and the audit log keeps the sign-in. One transaction, as
		// one commit: each commit of its own cost the PostgreSQL backends
		// enough CPU, beside the password hashes, to cut a storm of
		// sign-ins by a tenth. A sign-in that fails here keeps its
		// reservation, as a failed one does.
		s.refund(ctx, address)
		s.clearThrottle(ctx, account)
		if err := s.sessions.StartSession(ctx, u.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Action: "login.succeeded", ActorID: &u.ID, OrgID: u.ActiveOrganizationID, TargetType: "User", TargetID: itoa(u.ID)})
	})
	if errors.Is(err, wrong) {
		s.record(sys, audit.Event{Action: "login.failed", TargetType: "User", TargetID: itoa(u.ID), OrgID: u.ActiveOrganizationID,
			Details: map[string]any{"email": u.Email, "changed_during_sign_in": true}})
		return nil, wrong
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// attemptedEmail is what a failure event keeps of the email typed at sign-in:
// the address when it parses as one, else only the fact that it did not (the
// field may hold a password typed into the wrong box, which must not reach
// the audit log).
func attemptedEmail(input string) map[string]any {
	if email, err := NormalizeEmail(input); err == nil {
		return map[string]any{"email": email}
	}
	return map[string]any{"email_invalid": true}
}

// Logout ends the request's session on the server and clears its cookie.
func (s *Service) Logout(ctx context.Context) error {
	ended, err := s.sessions.EndSession(ctx)
	if err != nil || !ended {
		return err
	}
	if viewer.FromContext(ctx) != nil {
		s.record(ctx, audit.Event{Action: "logout"})
	}
	return nil
}

// ChangePassword replaces the viewer's password after checking the current
// one, and ends every other session of theirs. Checks of the current
// password are reserved per user before it is compared (passwordFailures
// per window, then RATE_LIMITED), so a stolen session is no oracle for it.
// It runs outside the GraphQL mutation's transaction (the reservation must
// commit even when the change is refused) and opens its own for the change.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return fault.New(fault.Unauthenticated, "sign in first")
	}
	// The new password is checked first: a weak one costs no attempt.
	if err := password.Check(next); err != nil {
		return err
	}
	key := passwordKey(v.UserID)
	if err := s.reserve(ctx, key); err != nil {
		var refused *refusedBy // recorded once per window, as at sign-in
		if errors.As(err, &refused) && refused.first {
			s.record(ctx, audit.Event{Action: "password.change_throttled", TargetType: "User", TargetID: itoa(v.UserID)})
		}
		return err
	}
	u, err := s.client.User.Get(ctx, v.UserID)
	if err != nil {
		return err
	}
	ok, err := password.Verify(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		s.record(ctx, audit.Event{Action: "password.change_failed", TargetType: "User", TargetID: itoa(v.UserID)})
		return fault.Invalid("the current password is not correct")
	}
	hash, err := password.Hash(ctx, next)
	if err != nil {
		return err
	}
	err = database.InTx(ctx, s.client, func(ctx context.Context) error {
		return s.changePassword(ctx, database.ClientFrom(ctx, s.client), v, hash)
	})
	if err != nil {
		return err
	}
	s.clearThrottle(ctx, key)
	return nil
}

// changePassword stores the new hash and ends every session of the user,
// the caller's own included: a copy of the caller's cookie, taken before
// the change (the reason for it, often), must not outlive it. A caller
// signed in by session gets a new one in the same transaction.
func (s *Service) changePassword(ctx context.Context, client *ent.Client, v *viewer.Viewer, hash string) error {
	if err := client.User.UpdateOneID(v.UserID).SetPasswordHash(hash).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Session.Delete().Where(session.UserID(v.UserID)).Exec(ctx); err != nil {
		return err
	}
	if v.Method == viewer.MethodSession {
		if err := s.sessions.StartSession(ctx, v.UserID); err != nil {
			return err
		}
	}
	s.record(ctx, audit.Event{Action: "password.changed", TargetType: "User", TargetID: itoa(v.UserID)})
	return nil
}

// RevokeSession ends one of the viewer's sessions.
func (s *Service) RevokeSession(ctx context.Context, id int) error {
	n, err := database.ClientFrom(ctx, s.client).Session.Delete().Where(session.ID(id)).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return fault.New(fault.NotFound, "session not found")
	}
	s.record(ctx, audit.Event{Action: "session.revoked", TargetType: "Session", TargetID: itoa(id)})
	return nil
}

// ResetAPIToken replaces the viewer's API token and returns the new one; the
// old one stops working at once.
func (s *Service) ResetAPIToken(ctx context.Context) (string, error) {
	v := viewer.FromContext(ctx)
	token := "gls_" + secret.NewToken()
	if err := s.setAPIToken(ctx, database.ClientFrom(ctx, s.client), v.UserID, token); err != nil {
		return "", err
	}
	s.record(ctx, audit.Event{Action: "api_token.reset", TargetType: "User", TargetID: itoa(v.UserID)})
	return token, nil
}

// startupToken sets the API token start-up was given (--user-token) for
// u: when start-up created u, or when the token differs from the one
// start-up set last (the operator changed it). A restart with the same
// token changes nothing, so a token reset through the API (after a theft,
// say) is not undone by the next start of any process. An account of an
// earlier release, which kept no record, keeps a token it has that
// differs: whether the operator or a reset changed it cannot be told, and
// the safe guess is the reset.
func (s *Service) startupToken(ctx context.Context, client *ent.Client, u *ent.User, created bool, token string) error {
	h := s.tokens.Hash(token)
	var last []byte // ent gives a NULL as a pointer to nil
	if u.StartupTokenHash != nil {
		last = *u.StartupTokenHash
	}
	if !created && bytes.Equal(last, h) {
		return nil
	}
	set := created || len(last) > 0
	if !set {
		current, err := client.APIToken.Query().Where(apitoken.UserID(u.ID)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			set = true
		case err != nil:
			return err
		case !bytes.Equal(current.TokenHash, h):
			s.log.Warn("--user-token differs from the account's API token, which was reset since: the account keeps its token; give a new --user-token to set one at start-up",
				slog.String("email", u.Email))
		}
	}
	if set {
		if err := s.setAPIToken(ctx, client, u.ID, token); err != nil {
			return err
		}
		if !created {
			s.log.Info("set the account's API token from --user-token, which changed since the last start", slog.String("email", u.Email))
		}
	}
	return client.User.UpdateOneID(u.ID).SetStartupTokenHash(h).Exec(ctx)
}

// setAPIToken replaces userID's API token with token, stored keyed.
func (s *Service) setAPIToken(ctx context.Context, client *ent.Client, userID int, token string) error {
	if _, err := client.APIToken.Delete().Where(apitoken.UserID(userID)).Exec(ctx); err != nil {
		return err
	}
	return client.APIToken.Create().SetUserID(userID).SetTokenHash(s.tokens.Hash(token)).Exec(ctx)
}

// NewInviteLink gives a new organization its annotator invite link, as
// every organization has one.
func (s *Service) NewInviteLink(ctx context.Context, orgID int) error {
	// System context: the organization was just created by the viewer, who
	// is its owner; the invite is part of making it.
	_, err := s.resetInvite(viewer.NewSystemContext(ctx), database.ClientFrom(ctx, s.client), orgID)
	return err
}

// ResetInviteLink replaces the viewer's organization's invite link.
func (s *Service) ResetInviteLink(ctx context.Context) (*ent.Organization, error) {
	v := viewer.FromContext(ctx)
	client := database.ClientFrom(ctx, s.client)
	if _, err := s.resetInvite(ctx, client, v.OrgID); err != nil {
		return nil, err
	}
	s.record(ctx, audit.Event{Action: "invite.reset", TargetType: "Organization", TargetID: itoa(v.OrgID)})
	return client.Organization.Get(ctx, v.OrgID)
}

func (s *Service) resetInvite(ctx context.Context, client *ent.Client, orgID int) (string, error) {
	token := secret.NewToken()
	err := client.Organization.UpdateOneID(orgID).
		SetInviteTokenHash(secret.Hash(token)).
		SetInviteTokenSealed(s.key.Seal(sealInvite, []byte(token))).
		Exec(ctx)
	return token, err
}

// retireSetupLink replaces the organization's link after the sign-up that
// made its owner, only while the link is still setupToken: a second
// sign-up through the setup link that read "no owner yet" before the first
// committed waits for the organization's row and then finds the link
// replaced, and is refused, so the link makes one owner. Unconditional,
// both sign-ups replaced it and both became owners.
func (s *Service) retireSetupLink(ctx context.Context, client *ent.Client, orgID int, setupToken string) error {
	token := secret.NewToken()
	n, err := client.Organization.Update().
		Where(organization.ID(orgID), organization.InviteTokenHash(secret.Hash(setupToken))).
		SetInviteTokenHash(secret.Hash(token)).
		SetInviteTokenSealed(s.key.Seal(sealInvite, []byte(token))).
		Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return errInviteGone
	}
	return nil
}

// InviteURL returns the organization's invite link, or "" when it has none.
func (s *Service) InviteURL(ctx context.Context, org *ent.Organization) (string, error) {
	if org.InviteTokenSealed == nil || len(*org.InviteTokenSealed) == 0 {
		return "", nil
	}
	tok, err := s.key.Open(sealInvite, *org.InviteTokenSealed)
	if err != nil {
		return "", fmt.Errorf("open invite token: %w", err)
	}
	return inviteURL(s.BaseURL(ctx), string(tok)), nil
}

// BaseURL is the URL users reach Gloss at: GLOSS_PUBLIC_URL, else the scheme
// and host the request came to.
func (s *Service) BaseURL(ctx context.Context) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	// The origin the browser addressed, through trusted proxies if any.
	return s.sessions.RequestOrigin(ctx)
}

// record writes a security event. A failure is logged, not returned: the
// answer to the client must not depend on it (a failed sign-in stays a
// failed sign-in).
func (s *Service) record(ctx context.Context, e audit.Event) {
	if err := s.audit.Record(ctx, e); err != nil {
		s.log.Error("audit record", slog.String("action", e.Action), slog.Any("error", err))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
