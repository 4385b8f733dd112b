"""The appraisal ranking as an Excel file (core.exports: A4, formula-safe)."""

from django.utils.translation import gettext as _

from qiao.core.exports import NUMBER, Sheet, notes_for, workbook


class RankingFile:
    def __init__(self, table):
        self.table = table
        self.rows = len(table["lines"])

    def file(self, user, report, filters):
        def build(book, formats):
            sheet = Sheet(book, formats, str(report.short_label or report.label), landscape=True)
            headers = [_("Rank"), _("Appraisee"), _("Unit"), _("Appraisal scheme"), _("Score"),
                       _("Reward and penalty points"), _("Final score"), _("Status")]
            sheet.heading(str(report.label), [self.table["period"], *notes_for(user, filters)],
                          len(headers))
            sheet.widths([6, 14, 14, 20, 8, 10, 8, 8])
            sheet.header(headers, repeat=True)
            kinds = [NUMBER, None, None, None, NUMBER, NUMBER, NUMBER, None]
            for line in self.table["lines"]:
                sheet.values([line["rank"], line["name"], line["unit"], line["scheme"],
                              line["score"], line["points"], line["final_score"],
                              line["status"]], kinds=kinds)

        return workbook(report.label, build)
