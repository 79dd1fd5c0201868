import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/** A salesman with Billing rights opens Sales → Deals → All Deals, then Invoicing → Reporting →
 * Cash Forecast: only his own deal is there. */
registry.category("web_tour.tours").add("deal_pipeline_billing_salesman_tour", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Sales app",
            trigger: ".o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        {
            content: "Open Deals",
            trigger: ".o_menu_sections button:contains(Deals)",
            run: "click",
        },
        {
            content: "Open All Deals",
            trigger: ".o-dropdown--menu .dropdown-item:contains(All Deals)",
            run: "click",
        },
        {
            content: "All Deals opens on the board, with his open deal",
            trigger: ".o_kanban_view .o_kanban_record:contains(Matrix own_open)",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "His open deal is listed",
            trigger: ".o_list_view .o_data_row:contains(Matrix own_open)",
        },
        {
            content: "and no colleague's deal",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Matrix other_open))):not(:has(.o_data_row:eq(1)))",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Invoicing app",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open Invoicing → Reporting",
            trigger: ".o_menu_sections button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Open the Cash Forecast",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Cash Forecast)",
            run: "click",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Open the search options",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Group by owner",
            trigger: ".o_group_by_menu .o-dropdown-item:contains(Owner)",
            run: "click",
        },
        {
            content: "Only his own deal's owner: himself",
            trigger: ".o_pivot tbody th:contains(Bill Salesman)",
        },
        {
            content: "and no colleague",
            trigger: ".o_pivot:not(:has(tbody th:contains(Colin Colleague)))",
        },
    ],
});
