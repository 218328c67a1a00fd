package rule_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gloss/ent"
	"gloss/ent/webhook"
)

// hooks are the webhooks of the world: A's own, one per project of A, and
// one of B; and a delivery of A's managed project and one of B.
type hooks struct {
	orgA, managed, other, b *ent.Webhook
	dA, dB                  *ent.WebhookDelivery
}

func MustHooks(tb testing.TB, w *world) *hooks {
	tb.Helper()
	c, ctx := w.client, sys()
	mk := func(org *ent.Organization, p *ent.Project, by *ent.User) *ent.Webhook {
		q := c.Webhook.Create().SetOrganizationID(org.ID).SetCreatedByID(by.ID).SetURL("https://hooks.example.com/").
			SetEvents([]string{"PROJECT_CREATED"}).SetSecretSealed([]byte("sealed"))
		if p != nil {
			q.SetProjectID(p.ID)
		}
		return q.SaveX(ctx)
	}
	h := &hooks{
		orgA:    mk(w.orgA, nil, w.ownerA),
		managed: mk(w.orgA, w.pManaged, w.managerA),
		other:   mk(w.orgA, w.pOther, w.ownerA),
		b:       mk(w.orgB, w.pB, w.ownerB),
	}
	deliver := func(hk *ent.Webhook) *ent.WebhookDelivery {
		return c.WebhookDelivery.Create().SetOrganizationID(hk.OrganizationID).SetWebhookID(hk.ID).
			SetEvent("PROJECT_CREATED").SetPayload([]byte(`{}`)).SetNextAttemptAt(time.Now()).SaveX(ctx)
	}
	h.dA, h.dB = deliver(h.managed), deliver(h.b)
	return h
}

func TestWebhookReads(t *testing.T) {
	w := MustWorld(t)
	h := MustHooks(t, w)
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		hooks      []*ent.Webhook
		deliveries []*ent.WebhookDelivery
	}{
		{"owner A", w.asOwnerA(), []*ent.Webhook{h.orgA, h.managed, h.other}, []*ent.WebhookDelivery{h.dA}},
		{"admin A", w.asAdminA(), []*ent.Webhook{h.orgA, h.managed, h.other}, []*ent.WebhookDelivery{h.dA}},
		// A manager: only the webhooks of the projects they work on, and
		// no delivery log.
		{"manager A", w.asManagerA(), []*ent.Webhook{h.managed}, nil},
		{"reviewer A", w.asReviewerA(), nil, nil},
		{"annotator A", w.asAnnotatorA(), nil, nil},
		{"owner B", w.asOwnerB(), []*ent.Webhook{h.b}, []*ent.WebhookDelivery{h.dB}},
		{"anonymous", w.anonymous(), nil, nil},
	} {
		got, _ := w.client.Webhook.Query().IDs(tc.ctx)
		want := idsOf(func(x *ent.Webhook) int { return x.ID }, tc.hooks...)
		slices.Sort(got)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%s sees webhooks %v, want %v", tc.name, got, want)
		}
		gotD, _ := w.client.WebhookDelivery.Query().IDs(tc.ctx)
		wantD := idsOf(func(x *ent.WebhookDelivery) int { return x.ID }, tc.deliveries...)
		if !slices.Equal(gotD, wantD) && !(len(gotD) == 0 && len(wantD) == 0) {
			t.Errorf("%s sees deliveries %v, want %v", tc.name, gotD, wantD)
		}
	}
}

func TestWebhookMutations(t *testing.T) {
	w := MustWorld(t)
	h := MustHooks(t, w)
	create := func(ctx context.Context, org *ent.Organization, p *ent.Project) error {
		q := w.client.Webhook.Create().SetOrganizationID(org.ID).SetCreatedByID(viewerID(ctx)).
			SetURL("https://new.example.com/").SetEvents([]string{"TASKS_CREATED"}).SetSecretSealed([]byte("s"))
		if p != nil {
			q.SetProjectID(p.ID)
		}
		return q.Exec(ctx)
	}
	update := func(ctx context.Context, hk *ent.Webhook) error {
		return w.client.Webhook.UpdateOneID(hk.ID).SetURL("https://changed.example.com/").Exec(ctx)
	}
	remove := func(ctx context.Context, hk *ent.Webhook) error {
		return w.client.Webhook.DeleteOneID(hk.ID).Exec(ctx)
	}
	for _, tc := range []struct {
		name  string
		run   func() error
		allow bool
	}{
		{"owner A makes an organization webhook", func() error { return create(w.asOwnerA(), w.orgA, nil) }, true},
		{"admin A makes a project webhook", func() error { return create(w.asAdminA(), w.orgA, w.pOther) }, true},
		{"manager A hooks their project", func() error { return create(w.asManagerA(), w.orgA, w.pManaged) }, true},
		{"manager A makes an organization webhook", func() error { return create(w.asManagerA(), w.orgA, nil) }, false},
		{"manager A hooks a project they do not work on", func() error { return create(w.asManagerA(), w.orgA, w.pOther) }, false},
		{"reviewer A hooks a project", func() error { return create(w.asReviewerA(), w.orgA, w.pManaged) }, false},
		{"annotator A hooks a project", func() error { return create(w.asAnnotatorA(), w.orgA, w.pManaged) }, false},
		{"admin A hooks B's project", func() error { return create(w.asAdminA(), w.orgA, w.pB) }, false},
		{"admin A makes a webhook in B", func() error { return create(w.asAdminA(), w.orgB, nil) }, false},
		{"anonymous makes a webhook", func() error { return create(w.anonymous(), w.orgA, nil) }, false},
		{"manager A changes their project's webhook", func() error { return update(w.asManagerA(), h.managed) }, true},
		{"manager A changes another project's webhook", func() error { return update(w.asManagerA(), h.other) }, false},
		{"manager A changes the organization's webhook", func() error { return update(w.asManagerA(), h.orgA) }, false},
		{"manager A deletes the organization's webhook", func() error { return remove(w.asManagerA(), h.orgA) }, false},
		{"reviewer A deletes a webhook", func() error { return remove(w.asReviewerA(), h.managed) }, false},
		{"owner A changes B's webhook", func() error { return update(w.asOwnerA(), h.b) }, false},
		{"owner A deletes B's webhook", func() error { return remove(w.asOwnerA(), h.b) }, false},
		{"admin A deletes another project's webhook", func() error { return remove(w.asAdminA(), h.other) }, true},
		{"owner A writes a delivery", func() error {
			return w.client.WebhookDelivery.Create().SetOrganizationID(w.orgA.ID).SetWebhookID(h.managed.ID).SetEvent("X").
				SetPayload([]byte(`{}`)).SetNextAttemptAt(time.Now()).Exec(w.asOwnerA())
		}, false},
		{"owner A rewrites the delivery log", func() error {
			return w.client.WebhookDelivery.UpdateOneID(h.dA.ID).SetError("forged").Exec(w.asOwnerA())
		}, false},
	} {
		before := webhookRows(t, w)
		err := tc.run()
		if tc.allow && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.allow {
			if err == nil {
				t.Errorf("%s: allowed", tc.name)
			}
			if after := webhookRows(t, w); after != before {
				t.Errorf("%s: refused, but the rows changed:\n%s\n->\n%s", tc.name, before, after)
			}
		}
	}
}

// webhookRows renders every webhook and delivery as the system sees them.
func webhookRows(t *testing.T, w *world) string {
	t.Helper()
	hs := w.client.Webhook.Query().Order(webhook.ByID()).AllX(sys())
	ds := w.client.WebhookDelivery.Query().AllX(sys())
	out := ""
	for _, h := range hs {
		out += h.URL + " " + string(rune('0'+len(h.Events))) + ";"
	}
	for _, d := range ds {
		out += d.Error + ";"
	}
	return out
}
