package api

import (
	"context"
	"math"
	"math/big"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ltcengine/ltc/internal/ltc"
	"github.com/ltcengine/ltc/internal/store"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

type reportService struct {
	ltcv1.UnimplementedReportServiceServer
	*Server
}

func (s reportService) GetPipelineReport(ctx context.Context, req *ltcv1.GetPipelineReportRequest) (*ltcv1.GetPipelineReportResponse, error) {
	actor := actorOf(ctx)
	if err := ltc.CanReadReports(actor); err != nil {
		return nil, err
	}
	from, to := req.StartTime.AsTime(), req.EndTime.AsTime()
	if !from.Before(to) {
		return nil, invalidArgument(fieldViolation{"end_time", "must be after start_time"})
	}
	if problem := ltc.CurrencyProblem(req.CurrencyCode); req.CurrencyCode != "" && problem != "" {
		return nil, invalidArgument(fieldViolation{"currency_code", problem})
	}
	filter := store.ReportFilter{From: from, To: to, OwnerID: req.OwnerId, AccountID: req.AccountId, Reader: &actor,
		Level: fromEnum[ltc.ProjectLevel](ltcv1.ProjectLevel_name, int32(req.Level), "PROJECT_LEVEL_")}
	r, err := s.store.PipelineReport(ctx, filter)
	if err != nil {
		return nil, err
	}
	top, err := s.store.TopAccounts(ctx, filter)
	if err != nil {
		return nil, err
	}
	resp := &ltcv1.GetPipelineReportResponse{
		OverdueWeeklyReports: int32(r.OverdueWeeklyReports), OverdueDecisions: int32(r.OverdueDecisions),
		DealsClosed: int32(r.Closed), DealsWon: int32(r.Won), WinRate: ratio(r.Won, r.Closed),
	}
	resp.ValueWonTotal, resp.ValueWon = totalsToProto(r.ValueWon)
	for _, a := range top {
		value, _ := totalsToProto([]store.Total{a.Value})
		resp.TopAccounts = append(resp.TopAccounts, &ltcv1.AccountShare{AccountId: a.AccountID, AccountName: a.Name,
			Value: value[0], Share: a.Share})
	}
	for _, f := range r.Funnel {
		row := &ltcv1.FunnelStage{Stage: toEnum[ltcv1.Stage](ltcv1.Stage_value, f.Stage, "STAGE_"),
			Outcome: toEnum[ltcv1.Outcome](ltcv1.Outcome_value, f.Outcome, "OUTCOME_"), Deals: int32(f.Deals)}
		row.ValueTotal, row.Value = totalsToProto(f.Value)
		resp.Funnel = append(resp.Funnel, row)
	}
	for _, c := range r.Conversions {
		resp.Conversions = append(resp.Conversions, &ltcv1.StageConversion{
			FromStage: toEnum[ltcv1.Stage](ltcv1.Stage_value, c.From, "STAGE_"), ToStage: toEnum[ltcv1.Stage](ltcv1.Stage_value, c.To, "STAGE_"),
			ReachedFrom: int32(c.ReachedFrom), ReachedTo: int32(c.ReachedTo), Rate: ratio(c.ReachedTo, c.ReachedFrom)})
	}
	for _, st := range r.TimeInStage {
		resp.TimeInStage = append(resp.TimeInStage, &ltcv1.StageTime{Stage: toEnum[ltcv1.Stage](ltcv1.Stage_value, st.Stage, "STAGE_"),
			Stays: int32(st.Count), Median: durationpb.New(st.Median), P90: durationpb.New(st.P90)})
	}
	if req.CurrencyCode != "" {
		if err := s.convertPipeline(ctx, req.CurrencyCode, r, resp); err != nil {
			return nil, err
		}
	}
	for _, g := range r.GateTurnaround {
		resp.GateTurnaround = append(resp.GateTurnaround, &ltcv1.GateTurnaround{Gate: toEnum[ltcv1.Gate](ltcv1.Gate_value, g.Gate, "GATE_"),
			Level: toEnum[ltcv1.ProjectLevel](ltcv1.ProjectLevel_value, g.Level, "PROJECT_LEVEL_"), Decisions: int32(g.Count),
			Median: durationpb.New(g.Median), P90: durationpb.New(g.P90)})
	}
	return resp, nil
}

// totalsToProto gives the sums exactly, and as Money for clients of the deprecated fields: a sum past the int64
// range as its maximum.
func totalsToProto(totals []store.Total) ([]*ltcv1.MoneyTotal, []*ltcv1.Money) {
	exact := make([]*ltcv1.MoneyTotal, len(totals))
	money := make([]*ltcv1.Money, len(totals))
	for i, t := range totals {
		exact[i] = &ltcv1.MoneyTotal{CurrencyCode: t.Currency, AmountMinor: t.AmountMinor.String()}
		amount := int64(math.MaxInt64)
		if t.AmountMinor.IsInt64() {
			amount = t.AmountMinor.Int64()
		}
		money[i] = &ltcv1.Money{CurrencyCode: t.Currency, AmountMinor: amount}
	}
	return exact, money
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// convertPipeline adds the report's sums converted into the currency, at finance's rates in force today, and the
// rates it used.
func (s reportService) convertPipeline(ctx context.Context, to string, r store.Report, resp *ltcv1.GetPipelineReportResponse) error {
	currencies := func(totals []store.Total) []string {
		var out []string
		for _, t := range totals {
			out = append(out, t.Currency)
		}
		return out
	}
	need := currencies(r.ValueWon)
	for _, f := range r.Funnel {
		need = append(need, currencies(f.Value)...)
	}
	day := ltc.DateOf(time.Now())
	conv, err := s.converter(ctx, need, s.policy.Base(), to, day)
	if err != nil {
		return err
	}
	sum := func(totals []store.Total) (*ltcv1.MoneyTotal, error) {
		n := new(big.Int)
		for _, t := range totals {
			c, err := conv.convert(t.AmountMinor, 0, t.Currency)
			if err != nil {
				return nil, err
			}
			n.Add(n, c)
		}
		return conv.total(n), nil
	}
	if resp.ValueWonConverted, err = sum(r.ValueWon); err != nil {
		return err
	}
	for i, f := range r.Funnel {
		if resp.Funnel[i].ValueConverted, err = sum(f.Value); err != nil {
			return err
		}
	}
	resp.RatesUsed, resp.RatesAsOf = conv.used(), dateToProto(day)
	return nil
}
