package ltc_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ltcengine/ltc/internal/ltc"
)

func TestNormaliseAccountName(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"Acme", "ACME", "acme", "Acme Ltd", "Acme Ltd.", "Acme Limited", "Acme Co., Ltd.", "Acme Inc", "Acme Corp.",
			"Acme Corporation", "Acme Company", "Acme LLC", "Acme PLC", "A.C.M.E.", "  Acme  "}, "acme"},
		{[]string{"Deutsche Telekom AG", "DEUTSCHE TELEKOM", "Deutsche-Telekom", "Deutsche Telekom GmbH & Co. KG"}, "deutschetelekom"},
		{[]string{"Straße Bau GmbH", "STRASSE BAU", "Strasse-Bau GmbH"}, "strassebau"},
		{[]string{"Nestlé S.A.", "NESTLÉ SA", "Nestle\u0301 SA"}, "nestlé"},
		{[]string{"Philips N.V.", "Philips BV"}, "philips"},
		{[]string{"华为技术有限公司", "华为技术股份有限公司", "华为技术", "华为技术 有限公司", "华为技术有限责任公司"}, "华为技术"},
		{[]string{"中国移动通信集团有限公司", "中国移动通信集团", "中国移动通信"}, "中国移动通信"},
		{[]string{"西门子（中国）有限公司", "西门子(中国)", "西门子 中国"}, "西门子中国"},
		{[]string{"ＡＣＭＥ　Ｌｔｄ．", "ＡＣＭＥ", "Ａｃｍｅ，Ｉｎｃ．"}, "acme"},
		{[]string{"3M Company", "3m"}, "3m"},
	} {
		for _, name := range c.names {
			assert.Equal(t, c.want, ltc.NormaliseAccountName(name), name)
		}
	}
	// Legal forms go from the end of a name only, and never the whole name.
	assert.Equal(t, "coopbank", ltc.NormaliseAccountName("Co-op Bank"))
	assert.Equal(t, "agrartechnik", ltc.NormaliseAccountName("Agrar Technik AG"))
	assert.Equal(t, "company", ltc.NormaliseAccountName("Company"))
	assert.Equal(t, "有限公司", ltc.NormaliseAccountName("有限公司"))
	assert.Equal(t, "", ltc.NormaliseAccountName(" .,- "))
	assert.NotEqual(t, ltc.NormaliseAccountName("Acme"), ltc.NormaliseAccountName("Acme Bank"))
	assert.NotEqual(t, ltc.NormaliseAccountName("华为"), ltc.NormaliseAccountName("华夏"))
}

func TestNormaliseRegion(t *testing.T) {
	for _, c := range []struct {
		regions []string
		want    string
	}{
		{[]string{"Baden-Württemberg", "BADEN WÜRTTEMBERG", "baden württemberg", "Ｂａｄｅｎ－Ｗüｒｔｔｅｍｂｅｒｇ"}, "badenwürttemberg"},
		{[]string{"广东省", "广东省 "}, "广东省"},
		{[]string{"Großraum München", "GROSSRAUM MÜNCHEN"}, "grossraummünchen"},
	} {
		for _, r := range c.regions {
			assert.Equal(t, c.want, ltc.NormaliseRegion(r), r)
		}
	}
	assert.NotEqual(t, ltc.NormaliseRegion("São Paulo"), ltc.NormaliseRegion("Sao Paulo"), "accents are kept: only case, width and punctuation go")
	assert.Equal(t, "limited", ltc.NormaliseRegion("Limited"), "a region keeps every word")
}
