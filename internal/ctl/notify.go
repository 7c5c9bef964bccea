package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// webhookCommands registers, lists and deletes webhooks (admins and systems).
func webhookCommands(run runner) *cobra.Command {
	webhook := &cobra.Command{Use: "webhook", Short: "Webhooks: other systems receive the event log, signed (admins and systems)"}
	var types []string
	create := &cobra.Command{Use: "create URL", Short: "Register a receiver; prints its signing secret, once", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, ltcv1.NewPeopleServiceClient(s.conn).CreateWebhook, &ltcv1.CreateWebhookRequest{
				RequestId: s.requestID(), Url: args[0], EventTypes: types})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				fmt.Fprintf(w, "Webhook\t%s\nURL\t%s\nEvents\t%s\nSecret\t%s\n", resp.Webhook.Id, resp.Webhook.Url,
					eventTypes(resp.Webhook.EventTypes), resp.Secret)
				fmt.Fprintln(w, "\nKeep the secret now: it verifies the LTC-Signature of every delivery and is not shown again.")
			})
		})}
	create.Flags().StringSliceVar(&types, "events", nil, "event types wanted, comma-separated (default: every type)")
	list := &cobra.Command{Use: "list", Short: "List the webhooks", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			resp, err := call(s, ltcv1.NewPeopleServiceClient(s.conn).ListWebhooks, &ltcv1.ListWebhooksRequest{})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Webhooks) == 0 {
					fmt.Fprintln(w, "No webhooks.")
					return
				}
				fmt.Fprintln(w, "WEBHOOK\tURL\tEVENTS\tCREATED BY\tCREATED")
				for _, h := range resp.Webhooks {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", h.Id, h.Url, eventTypes(h.EventTypes), h.CreatedBy.GetId(),
						h.CreateTime.AsTime().Format(time.DateTime))
				}
			})
		})}
	del := &cobra.Command{Use: "delete WEBHOOK", Short: "Stop a webhook's deliveries", Args: cobra.ExactArgs(1),
		RunE: run(func(s *session, args []string) error {
			resp, err := call(s, ltcv1.NewPeopleServiceClient(s.conn).DeleteWebhook, &ltcv1.DeleteWebhookRequest{
				RequestId: s.requestID(), WebhookId: args[0]})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { fmt.Fprintf(w, "Webhook %s deleted.\n", args[0]) })
		})}
	webhook.AddCommand(create, list, del)
	return webhook
}

func eventTypes(types []string) string {
	if len(types) == 0 {
		return "every type"
	}
	return strings.Join(types, ",")
}

// notificationsCommands set how the caller is notified.
func notificationsCommands(run runner) *cobra.Command {
	n := &cobra.Command{Use: "notifications", Short: "How you are notified"}
	var p struct {
		noEmail, digest bool
		mute            []string
		language        string
	}
	set := &cobra.Command{Use: "set", Short: "Set your notification preferences (they replace the previous ones)", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			resp, err := call(s, ltcv1.NewPeopleServiceClient(s.conn).SetNotificationPreferences, &ltcv1.SetNotificationPreferencesRequest{
				RequestId: s.requestID(), Preferences: &ltcv1.NotificationPreferences{
					Email: !p.noEmail, DailyDigest: p.digest, MutedEventTypes: p.mute, Language: p.language}})
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				pr := resp.Preferences
				fmt.Fprintf(w, "Email\t%v\nDaily digest\t%v\nMuted\t%s\nLanguage\t%s\n", pr.Email, pr.DailyDigest,
					strings.Join(pr.MutedEventTypes, ","), or(pr.Language, "the directory's"))
			})
		})}
	f := set.Flags()
	f.BoolVar(&p.noEmail, "no-email", false, "no mail at all")
	f.BoolVar(&p.digest, "daily-digest", false, "one mail a day instead of one per notification")
	f.StringSliceVar(&p.mute, "mute", nil, "event types not mailed, comma-separated (e.g. weekly_report.overdue)")
	f.StringVar(&p.language, "language", "", "en or zh-CN (default: the directory's)")
	n.AddCommand(set)
	return n
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
