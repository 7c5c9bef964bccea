package ctl

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ltcengine/ltc/internal/ltc"
	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// rateCommands are `ltcctl rates set|list`: finance's exchange rates into the policy's base currency.
func rateCommands(run runner) *cobra.Command {
	rates := &cobra.Command{Use: "rates", Short: "Set and list the exchange rates into the base currency (finance)"}

	var effective string
	set := &cobra.Command{Use: "set CURRENCY=RATE...", Short: "Set rates effective from --date, e.g. `rates set --date 2026-12-01 USD=0.9235 JPY=0.0062`",
		Args: cobra.MinimumNArgs(1),
		RunE: run(func(s *session, args []string) error {
			d, err := day(effective)
			if err != nil {
				return fmt.Errorf("--date: %w", err)
			}
			req := &ltcv1.SetExchangeRatesRequest{RequestId: s.requestID()}
			for _, a := range args {
				code, rate, ok := strings.Cut(a, "=")
				if !ok {
					return fmt.Errorf("%q: want CURRENCY=RATE, e.g. USD=0.9235", a)
				}
				req.Rates = append(req.Rates, &ltcv1.ExchangeRateInput{EffectiveDate: d, FromCurrency: strings.ToUpper(code), Rate: rate})
			}
			resp, err := call(s, s.ref.SetExchangeRates, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderRates(w, resp.Rates...) })
		})}
	set.Flags().StringVar(&effective, "date", "", "the first day the rates apply to, YYYY-MM-DD")
	_ = set.MarkFlagRequired("date")

	var currency, asOf string
	list := &cobra.Command{Use: "list", Short: "The rates, newest first; --as-of: the rate in force on a day", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			req := &ltcv1.ListExchangeRatesRequest{PageSize: 200, Currency: strings.ToUpper(currency)}
			if asOf != "" {
				d, err := day(asOf)
				if err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
				req.AsOf = d
			}
			resp, err := call(s, s.ref.ListExchangeRates, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Rates) == 0 {
					fmt.Fprintf(w, "No rates into %s.\n", resp.BaseCurrency)
					return
				}
				renderRates(w, resp.Rates...)
			})
		})}
	list.Flags().StringVar(&currency, "currency", "", "only this currency, e.g. USD")
	list.Flags().StringVar(&asOf, "as-of", "", "only the rate in force on this day, YYYY-MM-DD")
	rates.AddCommand(set, list)
	return rates
}

func renderRates(w io.Writer, rates ...*ltcv1.ExchangeRate) {
	fmt.Fprintln(w, "EFFECTIVE\tFROM\tTO\tRATE\tREPLACED\tSET BY")
	for _, r := range rates {
		d := r.EffectiveDate
		replaced := r.ReplacedRate
		if replaced == "" {
			replaced = "-"
		}
		fmt.Fprintf(w, "%04d-%02d-%02d\t%s\t%s\t%s\t%s\t%s\n", d.Year, d.Month, d.Day, r.FromCurrency, r.ToCurrency, r.Rate, replaced, person(r.SetBy))
	}
}

// productColumns are the columns of a products file, in order (a header line names them).
var productColumns = []string{"code", "name", "family", "unit", "list_price", "standard_cost", "currency", "active"}

// productCommands are `ltcctl products upsert|list`: the catalogue.
func productCommands(run runner) *cobra.Command {
	products := &cobra.Command{Use: "products", Short: "Create, change, deactivate and list the products of the catalogue"}

	var p struct {
		file, code, name, family, unit, price, cost, currency string
		inactive                                              bool
	}
	upsert := &cobra.Command{Use: "upsert", Short: "Create or replace a product (--code ...) or those of a CSV file (--file)", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			var rows [][]string
			if p.file != "" {
				var err error
				if rows, err = readProducts(p.file); err != nil {
					return err
				}
			} else {
				rows = [][]string{{p.code, p.name, p.family, p.unit, p.price, p.cost, p.currency, strconv.FormatBool(!p.inactive)}}
			}
			req := &ltcv1.UpsertProductsRequest{RequestId: s.requestID()}
			for i, row := range rows {
				in, err := productInput(row)
				if err != nil {
					return fmt.Errorf("product %d (%s): %w", i+1, row[0], err)
				}
				req.Products = append(req.Products, in)
			}
			resp, err := call(s, s.ref.UpsertProducts, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) { renderProducts(w, resp.Products...) })
		})}
	uf := upsert.Flags()
	uf.StringVar(&p.file, "file", "", "CSV file with a header line: "+strings.Join(productColumns, ","))
	uf.StringVar(&p.code, "code", "", "product code, e.g. RAN-5G-BBU")
	uf.StringVar(&p.name, "name", "", "name")
	uf.StringVar(&p.family, "family", "", "family, e.g. RAN")
	uf.StringVar(&p.unit, "unit", "piece", "unit of sale")
	uf.StringVar(&p.price, "price", "", "list price of one unit, in major units, e.g. 1200.50")
	uf.StringVar(&p.cost, "cost", "", "standard cost of one unit, in major units")
	uf.StringVar(&p.currency, "currency", "", "ISO 4217 currency of price and cost, e.g. EUR")
	uf.BoolVar(&p.inactive, "inactive", false, "deactivate the product (it stays for the deals that name it)")
	upsert.MarkFlagsMutuallyExclusive("file", "code")

	var l struct {
		family, active, text string
	}
	list := &cobra.Command{Use: "list", Short: "The catalogue, newest first", Args: cobra.NoArgs,
		RunE: run(func(s *session, _ []string) error {
			req := &ltcv1.ListProductsRequest{PageSize: 200, Family: l.family, Text: l.text}
			if l.active != "" {
				active, err := strconv.ParseBool(l.active)
				if err != nil {
					return fmt.Errorf("--active: want true or false")
				}
				req.Active = &active
			}
			resp, err := call(s, s.ref.ListProducts, req)
			if err != nil {
				return err
			}
			return s.show(resp, func(w io.Writer) {
				if len(resp.Products) == 0 {
					fmt.Fprintln(w, "No products.")
					return
				}
				renderProducts(w, resp.Products...)
			})
		})}
	lf := list.Flags()
	lf.StringVar(&l.family, "family", "", "only this family")
	lf.StringVar(&l.active, "active", "", "only active (true) or inactive (false) products")
	lf.StringVar(&l.text, "text", "", "only products whose code or name contains this")
	products.AddCommand(upsert, list)
	return products
}

// readProducts reads the rows of a products file, without its header line.
func readProducts(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(productColumns)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(productColumns, ",") {
		return nil, fmt.Errorf("%s: the first line must be %s", path, strings.Join(productColumns, ","))
	}
	return rows[1:], nil
}

// productInput is the product of a row of productColumns; amounts are read exactly in the currency's minor units.
func productInput(row []string) (*ltcv1.ProductInput, error) {
	code := strings.ToUpper(row[6])
	price, err := ltc.ParseAmount(row[4], code)
	if err != nil {
		return nil, fmt.Errorf("list price: %w", err)
	}
	cost, err := ltc.ParseAmount(row[5], code)
	if err != nil {
		return nil, fmt.Errorf("standard cost: %w", err)
	}
	active, err := strconv.ParseBool(row[7])
	if err != nil {
		return nil, fmt.Errorf("active: want true or false, not %q", row[7])
	}
	return &ltcv1.ProductInput{Code: row[0], Name: row[1], Family: row[2], Unit: row[3],
		ListPrice:    &ltcv1.Money{CurrencyCode: code, AmountMinor: price.AmountMinor},
		StandardCost: &ltcv1.Money{CurrencyCode: code, AmountMinor: cost.AmountMinor}, Active: &active}, nil
}

func renderProducts(w io.Writer, ps ...*ltcv1.Product) {
	fmt.Fprintln(w, "CODE\tNAME\tFAMILY\tUNIT\tLIST PRICE\tSTANDARD COST\tACTIVE")
	for _, p := range ps {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%t\n", p.Code, p.Name, p.Family, p.Unit, showMoney(p.ListPrice), showMoney(p.StandardCost), p.Active)
	}
}
