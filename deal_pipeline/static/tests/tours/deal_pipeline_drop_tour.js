import { registry } from "@web/core/registry";

const column = (stage) => `.o_kanban_group:has(.o_column_title:contains(${stage}))`;
const card = ".o_kanban_record:contains(Tour Sales Deal)";

registry.category("web_tour.tours").add("deal_pipeline_drop_tour", {
    steps: () => [
        {
            content: "Drag a deal of the Sales pipeline onto a stage of another pipeline",
            trigger: `${column("New")} ${card}`,
            run: `drag_and_drop (${column("Tour Review")})`,
        },
        {
            content: "The refused stage change is explained",
            trigger: ".modal:contains(is not used by the pipeline) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The card is back in its column",
            trigger: `body:not(:has(.modal)) ${column("New")} ${card}`,
        },
        {
            trigger: `${column("Tour Review")}:not(:has(${card}))`,
        },
        {
            content: "Drop the deal on Closed Won",
            trigger: `${column("New")} ${card}`,
            run: `drag_and_drop (${column("Closed Won")})`,
        },
        {
            content: "It is won without any question",
            trigger: `body:not(:has(.modal)) ${column("Closed Won")} ${card}`,
        },
    ],
});
