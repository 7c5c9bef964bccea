package ctl

import (
	"testing"

	"github.com/stretchr/testify/assert"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestShowTotalFormatsSumsPastInt64 shows exact report sums as showMoney shows amounts, however large, with the
// currency's minor digits.
func TestShowTotalFormatsSumsPastInt64(t *testing.T) {
	for _, c := range []struct{ currency, amount, want string }{
		{"EUR", "0", "EUR 0.00"}, {"EUR", "5", "EUR 0.05"}, {"EUR", "12345", "EUR 123.45"},
		{"EUR", "10000000000000000000000", "EUR 100000000000000000000.00"},
		{"JPY", "10000000000000000000000", "JPY 10000000000000000000000"}, {"KWD", "12345", "KWD 12.345"},
		{"EUR", "-12345", "EUR -123.45"},
	} {
		assert.Equal(t, c.want, showTotal(&ltcv1.MoneyTotal{CurrencyCode: c.currency, AmountMinor: c.amount}))
	}
}

// TestMoneyReadsAndShowsByTheCurrency reads amounts exactly by the currency's minor digits and shows them back.
func TestMoneyReadsAndShowsByTheCurrency(t *testing.T) {
	for _, c := range []struct{ amount, currency, shown string }{
		{"1000", "JPY", "JPY 1000"}, {"1000", "eur", "EUR 1000.00"}, {"0.29", "EUR", "EUR 0.29"}, {"1.5", "KWD", "KWD 1.500"},
		{"2,500,000.50", "CNY", "CNY 2500000.50"},
	} {
		m, err := money(c.amount, c.currency)
		if assert.NoError(t, err, c.amount) {
			assert.Equal(t, c.shown, showMoney(m))
		}
	}
	_, err := money("1000.5", "JPY")
	assert.ErrorContains(t, err, "amount: ")
	assert.Equal(t, "-", showMoney(nil))
	assert.Equal(t, "KWD -0.005", showMoney(&ltcv1.Money{CurrencyCode: "KWD", AmountMinor: -5}))
}
