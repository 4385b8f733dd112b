// The order form: each line's unit price shows, as its placeholder, the list price (价目表) for
// the chosen customer, order day and channel: left blank, that price is charged.
(() => {
  const form = document.querySelector("form[data-prices-url]");
  if (!form) return;
  let prices = {};
  const value = (name) => form.querySelector(`[name="${name}"]`)?.value || "";
  const show = () => {
    form.querySelectorAll("[data-testid=order-line]").forEach((row) => {
      const product = row.querySelector("select[name$='-product']");
      const price = row.querySelector("input[name$='-price']");
      if (product && price) price.placeholder = prices[product.value] || "";
    });
  };
  const load = async () => {
    prices = {};
    const customer = value("customer");
    if (customer) {
      const query = new URLSearchParams({customer, ordered_on: value("ordered_on"),
                                         channel: value("channel")});
      const response = await fetch(`${form.dataset.pricesUrl}?${query}`,
                                   {headers: {Accept: "application/json"}});
      if (response.ok) prices = (await response.json()).prices;
    }
    show();
  };
  form.addEventListener("change", (event) => {
    if (["customer", "ordered_on", "channel"].includes(event.target.name)) load();
    else show();
  });
  load();
})();
