import { RelationalModel } from "@web/model/relational_model/relational_model";
import { makeActiveField } from "@web/model/relational_model/utils";

export class DealKanbanDynamicGroupList extends RelationalModel.DynamicGroupList {
    /**
     * @override
     *
     * A deal dropped onto a won or lost stage is not written there: the drop runs what the Won
     * or Lost button runs (`action_mark_won`, `action_mark_lost`) with the stage dropped on, so
     * the same dialogs (the open quotations to keep or cancel, the lost reason), chatter lines
     * and celebration follow; the board reloads when that ends (the card stays in its column if
     * a dialog is discarded). Other moves, including refused ones (the card goes back and the
     * error is shown), are handled by the standard kanban. The outcome of each column's stage
     * comes with the board (see `DealKanbanModel`): no call on drop.
     */
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const targetGroup = this.groups.find((g) => g.id === targetGroupId);
        const outcome = targetGroup?.record?.data.outcome;
        if (
            dataGroupId !== targetGroupId &&
            this.groupByField.name === "stage_id" &&
            (outcome === "won" || outcome === "lost")
        ) {
            const sourceGroup = this.groups.find((g) => g.id === dataGroupId);
            const record = sourceGroup.list.records.find((r) => r.id === dataRecordId);
            // both methods take (open_quotations or lost_reason_id, stage_id)
            await this.model.action.doActionButton({
                type: "object",
                name: `action_mark_${outcome}`,
                resModel: this.resModel,
                resId: record.resId,
                args: JSON.stringify([null, targetGroup.value]),
                context: this.context,
                onClose: () => this.model.load(),
            });
            return;
        }
        return super.moveRecord(...arguments);
    }
}

export class DealKanbanModel extends RelationalModel {
    static DynamicGroupList = DealKanbanDynamicGroupList;

    setup(params) {
        super.setup(...arguments);
        // The columns are read with the outcome of their stage (web_read_group's
        // groupby_read_specification), the same selection as the deal's own outcome.
        const { fields } = params.config;
        if (fields.stage_id && fields.outcome) {
            this.groupByInfo.stage_id = {
                activeFields: { outcome: makeActiveField() },
                fields: { outcome: { ...fields.outcome, name: "outcome", readonly: true } },
            };
        }
    }
}
