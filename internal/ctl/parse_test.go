package ctl

import (
	"testing"

	"github.com/stretchr/testify/assert"

	ltcv1 "github.com/ltcengine/ltc/proto/ltc/v1"
)

// TestShowTotalFormatsSumsPastInt64 shows exact report sums as showMoney shows amounts, however large.
func TestShowTotalFormatsSumsPastInt64(t *testing.T) {
	for amount, want := range map[string]string{"0": "EUR 0.00", "5": "EUR 0.05", "12345": "EUR 123.45",
		"10000000000000000000000": "EUR 100000000000000000000.00"} {
		assert.Equal(t, want, showTotal(&ltcv1.MoneyTotal{CurrencyCode: "EUR", AmountMinor: amount}))
	}
}
