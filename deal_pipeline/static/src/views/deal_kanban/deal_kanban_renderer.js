import { RottingKanbanRenderer } from "@mail/js/rotting_mixin/rotting_kanban_renderer";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { KanbanQuickCreateController, KanbanRecordQuickCreate } from "@web/views/kanban/kanban_record_quick_create";

// the errors a user's input causes: the message says what to change
const USER_ERRORS = ["odoo.exceptions.UserError", "odoo.exceptions.ValidationError", "odoo.exceptions.AccessError"];

export class DealQuickCreateController extends KanbanQuickCreateController {
    /**
     * @override
     *
     * A deal the server refuses for what the user typed (a negative amount, a probability out of
     * range...) stays in the quick create with its input, and the message says what to change.
     * The standard quick create would open an empty form dialog instead, without the message,
     * and leave the name in the board's context for the next quick create.
     */
    showFormDialogInError(error) {
        if (error instanceof RPCError && USER_ERRORS.includes(error.exceptionName)) {
            this.model.notification.add(error.data.message, {
                title: _t("The deal was not created"),
                type: "danger",
            });
            return;
        }
        return super.showFormDialogInError(...arguments);
    }
}

export class DealRecordQuickCreate extends KanbanRecordQuickCreate {
    static components = {
        ...KanbanRecordQuickCreate.components,
        KanbanQuickCreateController: DealQuickCreateController,
    };
}

export class DealKanbanRenderer extends RottingKanbanRenderer {
    static components = { ...RottingKanbanRenderer.components, KanbanRecordQuickCreate: DealRecordQuickCreate };
}
