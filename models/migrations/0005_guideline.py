"""The asset-use guideline (ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ): its versions,
their sign-off by the agency head, and each staff member's acknowledgement.

Frozen copies of the tables as they were at this step. The tables they point to are
declared only by name and are not touched.
"""

import datetime as dt

import peewee as pw

_db = pw.DatabaseProxy()

GUIDELINE_TITLE = "ประกาศแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(pw.Model):
    class Meta:
        database = _db
        legacy_table_names = False


class User(BaseModel):
    pass


class GuidelineVersion(BaseModel):
    number = pw.IntegerField(unique=True, constraints=[pw.Check("number > 0")])
    title = pw.CharField(max_length=300, default=GUIDELINE_TITLE)
    text_th = pw.TextField()
    text_en = pw.TextField(default="")
    effective_on = pw.DateField()
    published_by = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    published_at = pw.DateTimeField(default=utcnow)
    signed_off_by = pw.ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    signed_off_at = pw.DateTimeField(null=True)


class GuidelineAcknowledgement(BaseModel):
    version = pw.ForeignKeyField(GuidelineVersion, backref="acknowledgements", on_delete="RESTRICT")
    user = pw.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    acknowledged_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("version", "user"), True),)


def up(migrator, db):
    _db.initialize(db)
    db.create_tables([GuidelineVersion, GuidelineAcknowledgement])
