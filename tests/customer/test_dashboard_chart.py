"""The dashboard's spend chart: one series per account of a currency, each under its name, with a legend."""

from __future__ import annotations

import lxml.html

from portal.extensions import db
from tests.customer.conftest import approved_invoice, month
from tests.factories import AccountFactory


def test_two_accounts_of_one_currency_are_two_named_series_with_a_legend(signed_in, customer, account):
    other = AccountFactory(customer=customer, name="Acme wholesale", currency="EUR")
    for i in range(1, 4):
        approved_invoice(account, month(-i), total="10.00")
        approved_invoice(other, month(-i), total="20.00")
    db.session.commit()
    tree = lxml.html.fromstring(signed_in.get("/portal/").get_data(as_text=True))
    [chart] = tree.xpath("//figure[contains(@class, 'chart')]")
    headings = [t.text_content() for t in chart.xpath(".//*[contains(@class, 'chart__heading')]")]
    assert headings == ["Acme main", "Acme wholesale"]
    assert [li.text_content().strip() for li in chart.xpath(".//ul[@class='chart__legend']/li")] == headings
    series = [rect.get("class").split()[-1] for rect in chart.xpath(".//g[@class='chart__row']/rect")]
    assert series == ["chart__bar--s0"] * 3 + ["chart__bar--s1"] * 3
    # The table behind the chart names the account of every bar.
    accounts = [td.text_content() for td in chart.xpath(".//details//tbody/tr/td[1]")]
    assert accounts == ["Acme main"] * 3 + ["Acme wholesale"] * 3
