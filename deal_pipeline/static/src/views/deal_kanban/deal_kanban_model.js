import { RelationalModel } from "@web/model/relational_model/relational_model";
import { makeActiveField } from "@web/model/relational_model/utils";

export class DealKanbanDynamicGroupList extends RelationalModel.DynamicGroupList {
    /**
     * @override
     *
     * A deal dropped onto a lost stage is not written there: the lost reason wizard of
     * `action_mark_lost` opens instead, and the board reloads when it closes (the card stays in
     * its column if the wizard is discarded). Other moves, including refused ones (the card goes
     * back and the error is shown), are handled by the standard kanban. The outcome of each
     * column's stage comes with the board (see `DealKanbanModel`): no call on drop.
     */
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const targetGroup = this.groups.find((g) => g.id === targetGroupId);
        if (
            dataGroupId !== targetGroupId &&
            this.groupByField.name === "stage_id" &&
            targetGroup?.record?.data.outcome === "lost"
        ) {
            const sourceGroup = this.groups.find((g) => g.id === dataGroupId);
            const record = sourceGroup.list.records.find((r) => r.id === dataRecordId);
            const action = await this.model.orm.call(this.resModel, "action_mark_lost", [[record.resId]], {
                context: this.context,
            });
            await this.model.action.doAction(action, {
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
