package ctl

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/ltcengine/ltc/internal/ltc"
)

// demoCommand drives one sample customer account and its deal from lead to WON against a running engine, as the
// right person at each step, printing every ltcctl command it runs: a tour and a smoke test in one.
func demoCommand(o *Options, out io.Writer) *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "Drive a sample account and its deal from lead to WON against `ltcd dev`, printing each step", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return Demo(*o, out) }}
}

// Demo runs the tour. Ids derive from request ids, so the tour knows them without parsing output.
func Demo(o Options, out io.Writer) error {
	run := uuid.NewString()
	rid := func(step string) string { return uuid.NewSHA1(uuid.NameSpaceOID, []byte(run+step)).String() }
	// The customer's name is the run's own: one account per customer, and the dev engine keeps earlier runs'.
	customer := fmt.Sprintf("Acme Telecom (demo %s)", run[:4])
	account := ltc.AccountID(rid("account"))
	ceo, cto := ltc.ContactID(rid("contact-ceo")), ltc.ContactID(rid("contact-cto"))
	deal := ltc.LeadID(rid("lead"))
	initiation, atb, atc := ltc.DecisionID(rid("initiation")), ltc.DecisionID(rid("atb")), ltc.DecisionID(rid("atc"))
	today := time.Now().Format(time.DateOnly)
	inDays := func(n int) string { return time.Now().AddDate(0, 0, n).Format(time.DateOnly) }
	steps := []struct {
		as, step, title string
		args            []string
	}{
		{"sales", "account", "Sam, an account manager, creates the customer's account at grade B", []string{"account", "create",
			"--name", customer, "--grade", "B", "--industry", "telecom", "--region", "EMEA", "--rationale", "new operator in our region"}},
		{"executive2", "grade", "Eva, the region executive, not on the account, grades it A (strategic): its quarterly relationship reviews start",
			[]string{"account", "grade", account, "--grade", "A", "--rationale", "national 5G rollout; a top-3 operator of the region by 2028"}},
		{"sales", "contact-ceo", "Sam maps the customer's people (权力地图): the CEO decides, and Eva holds that relationship",
			[]string{"account", "contact", "add", account, "--name", "Clara Chen", "--title", "CEO", "--role", "decision_maker",
				"--attitude", "accepts_us", "--holder", "eva", "--strength", "3"}},
		{"sales", "contact-cto", "the CTO reports to her, values us and may succeed her", []string{"account", "contact", "add", account,
			"--name", "Tom Tran", "--title", "CTO", "--reports-to", ceo, "--role", "influencer", "--attitude", "values_us", "--rising-star",
			"--holder", "sam", "--strength", "4"}},
		{"sales", "contact-procurement", "and the head of procurement, under the CTO, decides more than the title says",
			[]string{"account", "contact", "add", account, "--name", "Paula Park", "--title", "Head of Procurement", "--reports-to", cto,
				"--role", "gatekeeper", "--hidden-decider", "--attitude", "commodity", "--holder", "sara", "--strength", "2"}},
		{"sales", "relationship", "Sam assesses the organisational relationship (组织客户关系)", []string{"account", "assess", account,
			"--level", "preferred_supplier", "--communication", "3", "--business-fit", "4", "--joint-undertakings", "2",
			"--identification", "3", "--rationale", "strong technical ties, weak at procurement"}},
		{"sales", "", "The account with its power map", []string{"account", "show", account}},
		{"sales", "lead", "Sam records a lead for the account", []string{"lead", "create", "--account", account,
			"--title", "5G core network", "--value", "2400000", "--currency", "EUR", "--close", "2027-06-30"}},
		{"sales_manager", "qualify", "Mia, the sales manager, qualifies it: the deal starts in VALIDATION",
			[]string{"lead", "qualify", deal, "--urgency", "hot", "--budget", "--decision-chain"}},
		{"sales", "assess", "Sam assesses the opportunity", []string{"deal", "assess", deal, "--win-rate", "60", "--value", "2400000",
			"--currency", "EUR", "--competitor", "Globex", "--decision-chain", "CEO decides; procurement sways it"}},
		{"sales", "initiation", "Sam asks for INITIATION (立项) at level B", []string{"gate", "request", deal, "--gate", "initiation",
			"--level", "B", "--rationale", "strategic account, budget confirmed"}},
		{"executive2", "", "Eva, a region executive (authority 2), finds it in her inbox", []string{"inbox"}},
		{"executive2", "initiation-ok", "and approves", []string{"gate", "decide", initiation, "--verdict", "approve", "--rationale", "fits the regional plan"}},
		{"sales_manager", "team", "Mia appoints the iron triangle (铁三角): the deal moves to PURSUIT", []string{"deal", "team", deal,
			"--member", "AR=sam", "--member", "SR=sara", "--member", "FR=fred"}},
		{"sales3", "risk", "Fred, the FR, records a delivery risk", []string{"deal", "risk", deal, "--description", "site access in winter",
			"--category", "delivery", "--probability", "medium", "--impact", "high", "--owner", "fred", "--mitigation", "pre-stage equipment"}},
		{"sales2", "report", "Sara, the SR, submits the weekly report (项目周报)", []string{"deal", "report", deal, "--progress", "workshop held",
			"--win-rate", "60", "--next-steps", "bid strategy"}},
		{"sales", "", "Sam looks up the product catalogue finance keeps (the standard costs are finance's and the executives')",
			[]string{"products", "list", "--active", "true"}},
		{"sales", "atb", "Sam asks for ATB with the bid package: its line items make the price, 2,400,000.00 EUR, and the margin",
			[]string{"gate", "request", deal, "--gate", "atb", "--strategy", "value over price",
				"--line", "RAN-5G-BBU:60:10", "--line", "RAN-5G-AAU:120:10", "--line", "CORE-5GC-LIC:2000:19.6", "--line", "SVC-DEPLOY:270",
				"--currency", "EUR", "--payment-terms", "30/60/10", "--feasibility", "feasible with partner", "--win-rate", "60"}},
		{"reviewer_finance", "", "Fiona (FINANCE) sees the lines' costs and the margin against the policy's floor", []string{"gate", "show", atb}},
		{"reviewer_finance", "atb-fin", "The professional reviews (专业评审) come in", []string{"gate", "review", atb, "--function", "finance", "--result", "pass"}},
		{"reviewer_legal", "atb-legal", "", []string{"gate", "review", atb, "--function", "legal", "--result", "pass"}},
		{"reviewer_delivery", "atb-delivery", "", []string{"gate", "review", atb, "--function", "delivery", "--result", "pass_with_concerns", "--comments", "winter schedule"}},
		{"executive2", "atb-ok", "Eva approves the bid", []string{"gate", "decide", atb, "--verdict", "approve", "--rationale", "margin fine"}},
		{"sales", "bid", "Sam submits the bid inside the approved envelope", []string{"deal", "bid", deal, "--price", "2400000", "--currency", "EUR",
			"--date", today, "--reference", "TENDER-42"}},
		{"sales", "forecast", "Sam commits the deal in the quarter's forecast, at the envelope", []string{"deal", "forecast", deal,
			"--close-date", "2027-03-31", "--value", "2400000", "--currency", "EUR", "--category", "commit", "--reason", "bid submitted"}},
		{"executive3", "", "Eric, the corporate executive, reads the quarter's forecast", []string{"report", "forecast", "--quarter", "2027-Q1"}},
		{"sales", "tender", "The customer picks us", []string{"deal", "tender", deal, "--result", "won"}},
		{"sales", "atc", "Sam asks for ATC with the negotiated contract: 29.6 % off the licences makes 2,350,000.00 EUR",
			[]string{"gate", "request", deal, "--gate", "atc",
				"--line", "RAN-5G-BBU:60:10", "--line", "RAN-5G-AAU:120:10", "--line", "CORE-5GC-LIC:2000:29.6", "--line", "SVC-DEPLOY:270",
				"--currency", "EUR", "--payment-terms", "30/60/10", "--deviations", "price -2%", "--reference", "MSA-2027-01"}},
		{"reviewer_finance", "atc-fin", "", []string{"gate", "review", atc, "--function", "finance", "--result", "pass"}},
		{"reviewer_legal", "atc-legal", "", []string{"gate", "review", atc, "--function", "legal", "--result", "pass"}},
		{"reviewer_delivery", "atc-delivery", "", []string{"gate", "review", atc, "--function", "delivery", "--result", "pass"}},
		{"executive2", "atc-ok", "Eva approves the contract", []string{"gate", "decide", atc, "--verdict", "approve", "--rationale", "terms acceptable"}},
		{"sales", "sign", "Sam records the signed contract with its payment terms: 30% advance, 60% at PAC, 10% at FAC",
			[]string{"deal", "sign", deal, "--number", "C-2027-001", "--amount", "2350000", "--currency", "EUR", "--date", today,
				"--term", "advance=30%:signature", "--term", "PAC=60%:pac:" + inDays(180), "--term", "FAC=10%:fac:" + inDays(365)}},
		{"sales_manager", "delivery-pm", "Mia appoints Dora, a delivery project manager with no sales role, to the team", []string{"deal", "team", deal,
			"--member", "AR=sam", "--member", "SR=sara", "--member", "FR=fred", "--member", "DELIVERY_PM=dora"}},
		{"sales", "schedule", "Sam schedules the contract handover meeting (合同交底会)", []string{"deal", "handover", "schedule", deal,
			"--at", time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "--attendee", "AR=sam", "--attendee", "SR=sara",
			"--attendee", "FR=fred", "--attendee", "DELIVERY_PM=dora"}},
		{"delivery_pm", "handover", "Dora, the delivery project manager, acknowledges the handover: WON, the contract in EXECUTION",
			[]string{"deal", "handover", "complete", deal,
				"--key-terms", "24 months, 99.9% availability", "--commitments", "on-site team in Q2", "--risks", "winter site access"}},
		{"sales", "summary", "Sam submits the project summary (销售项目总结); the process runs on until the contract closes", []string{"deal", "summary", deal,
			"--reasons", "solution fit and partner", "--lessons", "involve delivery at ATB", "--accuracy", "estimated 60%, won"}},
		{"reviewer_finance", "invoice-advance", "Fiona (FINANCE) invoices the advance, due since the signature (合同执行)",
			[]string{"contract", "invoice", deal, "--number", "INV-" + run[:4] + "-1", "--milestone", "M1", "--amount", "705000", "--due", inDays(30)}},
		{"erp", "pay-advance", "The ERP records the customer's payment over gRPC", []string{"contract", "pay", deal, "--invoice", "INV-" + run[:4] + "-1",
			"--reference", "BANK-" + run[:4] + "-1", "--amount", "705000", "--date", today}},
		{"delivery_pm", "pac", "Dora records the provisional acceptance (PAC) with its certificate: the 60% milestone is due",
			[]string{"contract", "accept", deal, "--kind", "pac", "--certificate", "PAC-2027-017", "--date", today}},
		{"reviewer_finance", "invoice-pac", "", []string{"contract", "invoice", deal, "--number", "INV-" + run[:4] + "-2", "--milestone", "M2",
			"--amount", "1410000", "--due", inDays(30)}},
		{"erp", "pay-pac-1", "The customer pays it in two parts", []string{"contract", "pay", deal, "--invoice", "INV-" + run[:4] + "-2",
			"--reference", "BANK-" + run[:4] + "-2", "--amount", "1000000", "--date", today}},
		{"erp", "pay-pac-2", "", []string{"contract", "pay", deal, "--invoice", "INV-" + run[:4] + "-2",
			"--reference", "BANK-" + run[:4] + "-3", "--amount", "410000", "--date", today}},
		{"delivery_pm", "fac", "Then the final acceptance (FAC)", []string{"contract", "accept", deal, "--kind", "fac", "--certificate", "FAC-2027-017",
			"--date", today}},
		{"reviewer_finance", "invoice-fac", "", []string{"contract", "invoice", deal, "--number", "INV-" + run[:4] + "-3", "--milestone", "M3",
			"--amount", "235000", "--due", inDays(30)}},
		{"reviewer_finance", "pay-fac", "and the last payment, recorded by FINANCE", []string{"contract", "pay", deal, "--invoice", "INV-" + run[:4] + "-3",
			"--reference", "BANK-" + run[:4] + "-4", "--amount", "235000", "--date", today}},
		{"sales", "close-contract", "Sam closes the contract: everything accepted and paid, the deal's process ends",
			[]string{"contract", "close", deal}},
		{"reviewer_finance", "", "FINANCE's view: the contracts of its unit", []string{"contract", "list", "--owner", "sam"}},
		{"sales", "", "The whole deal", []string{"deal", "show", deal}},
	}
	for _, st := range steps {
		if st.title != "" {
			fmt.Fprintf(out, "\n# %s\n", st.title)
		}
		args := append(append([]string{"--addr", o.Addr, "--tokens", o.Tokens, "--as", st.as, "--timeout", o.Timeout.String()},
			o.tlsArgs()...), st.args...)
		if st.step != "" {
			args = append(args, "--request-id", rid(st.step))
		}
		fmt.Fprintf(out, "$ ltcctl --as %s %s\n", st.as, quote(st.args))
		cmd := New(out)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			return fmt.Errorf("demo step %q: %w", strings.Join(st.args[:2], " "), err)
		}
	}
	fmt.Fprintf(out, "\nDeal %s of account %s went from lead to WON and its last payment. Follow its events: ltcctl --as admin events --deal %s"+
		" (the account's: --account %s)\n", deal, account, deal, account)
	return nil
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " %,/()") {
			a = "'" + a + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
