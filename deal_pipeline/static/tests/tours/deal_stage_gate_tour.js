import { registry } from "@web/core/registry";

const column = (stage) => `.o_kanban_group:has(.o_column_title:contains(${stage}))`;
const card = ".o_kanban_record:contains(Gate Deal)";

registry.category("web_tour.tours").add("deal_pipeline_stage_gate_tour", {
    steps: () => [
        {
            content: "Drag a deal without close date onto Proposal Sent",
            trigger: `${column("New")} ${card}`,
            run: `drag_and_drop (${column("Proposal Sent")})`,
        },
        {
            content: "The refusal lists the missing fields",
            trigger:
                ".modal:contains(cannot enter the stage “Proposal Sent”: fill in Expected Close Date first) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The card is back in its column",
            trigger: `body:not(:has(.modal)) ${column("New")} ${card}`,
        },
        {
            trigger: `${column("Proposal Sent")}:not(:has(${card}))`,
        },
    ],
});
