"""initial schema: the whole domain

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 05:53:12.233253

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    is_postgresql = op.get_bind().dialect.name == "postgresql"
    if is_postgresql:
        # btree_gist lets one exclusion constraint combine "same account" (=) with "periods overlap" (&&).
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('admin_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('allowed_ips', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_admin_users_level')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_users')),
    sa.UniqueConstraint('email', name=op.f('uq_admin_users_email'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('name', name=op.f('uq_attachments_name'))
    )
    op.create_table('bill_styles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('layout', sa.String(length=10), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.CheckConstraint("layout IN ('full', 'summary')", name=op.f('ck_bill_styles_layout')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_styles')),
    sa.UniqueConstraint('name', name=op.f('uq_bill_styles_name'))
    )
    op.create_table('billing_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approve', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('accounts_total', sa.Integer(), nullable=False),
    sa.Column('accounts_done', sa.Integer(), nullable=False),
    sa.Column('invoices_created', sa.Integer(), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('anomalies', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_billing_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_runs'))
    )
    op.create_table('countries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('iso2', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_countries')),
    sa.UniqueConstraint('iso2', name=op.f('uq_countries_iso2'))
    )
    op.create_table('message_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_message_templates_name'))
    )
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('legal_name', sa.String(length=200), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('vat_number', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('website', sa.String(length=200), nullable=True),
    sa.Column('bank_details', sa.Text(), nullable=True),
    sa.Column('brand_color', sa.String(length=7), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    op.create_table('usage_report_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('group_by', sa.String(length=20), nullable=False),
    sa.CheckConstraint("group_by IN ('destination', 'network')", name=op.f('ck_usage_report_profiles_group_by')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_report_profiles')),
    sa.UniqueConstraint('name', name=op.f('uq_usage_report_profiles_name'))
    )
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('vat_number', sa.String(length=64), nullable=True),
    sa.Column('reverse_charge', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('payment_method', sa.String(length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_customers_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_organization_id'), ['organization_id'], unique=False)

    op.create_table('invoice_number_counters',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoice_number_counters_organization_id_organizations')),
    sa.PrimaryKeyConstraint('organization_id', 'year', name=op.f('pk_invoice_number_counters'))
    )
    op.create_table('networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('network_type', sa.String(length=20), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_networks_country_id_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_networks'))
    )
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_networks_country_id'), ['country_id'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.Column('invoice_period', sa.String(length=40), nullable=True),
    sa.Column('next_invoice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_invoice_type', sa.String(length=20), nullable=True),
    sa.Column('invoice_ref_template', sa.String(length=100), nullable=False),
    sa.Column('delivery_mode', sa.String(length=10), nullable=False),
    sa.Column('bill_style', sa.String(length=40), nullable=False),
    sa.Column('max_call_duration', sa.Integer(), nullable=True),
    sa.Column('balance', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('min_balance', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('max_balance', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("delivery_mode IN ('email', 'post', 'online')", name=op.f('ck_accounts_delivery_mode')),
    sa.CheckConstraint("invoice_period IN ('Daily', 'Weekly', 'BiWeekly', 'Monthly', 'BiWeekly. Split by new month', 'Weekly. Split by new month', 'SemiMonthly')", name=op.f('ck_accounts_invoice_period')),
    sa.CheckConstraint('payment_terms_days >= 0', name=op.f('ck_accounts_payment_terms')),
    sa.CheckConstraint('vat_rate >= 0', name=op.f('ck_accounts_vat_rate')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_accounts_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('uuid', name=op.f('uq_accounts_uuid'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accounts_next_invoice_at'), ['next_invoice_at'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=50), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_api_keys_level')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_api_keys_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_keys_prefix'), ['prefix'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('customer_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('password_token_version', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_users_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_users')),
    sa.UniqueConstraint('email', name=op.f('uq_customer_users_email'))
    )
    with op.batch_alter_table('customer_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_users_customer_id'), ['customer_id'], unique=False)

    op.create_table('account_invoice_contacts',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_invoice_contacts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_account_invoice_contacts_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'contact_id', name=op.f('pk_account_invoice_contacts'))
    )
    op.create_table('cdrs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('time_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('customer_duration', sa.Integer(), nullable=False),
    sa.Column('vendor_duration', sa.Integer(), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('customer_acc_id', sa.Integer(), nullable=True),
    sa.Column('vendor_acc_id', sa.Integer(), nullable=True),
    sa.Column('customer_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('vendor_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('dst_prefix', sa.String(length=32), nullable=True),
    sa.Column('dialpeer_prefix', sa.String(length=32), nullable=True),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('destination_rate', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('dialpeer_rate', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('destination_reverse_billing', sa.Boolean(), nullable=False),
    sa.Column('dialpeer_reverse_billing', sa.Boolean(), nullable=False),
    sa.Column('src_number', sa.String(length=64), nullable=True),
    sa.Column('dst_number', sa.String(length=64), nullable=True),
    sa.Column('is_last_cdr', sa.Boolean(), nullable=False),
    sa.CheckConstraint('customer_duration >= 0 AND vendor_duration >= 0', name=op.f('ck_cdrs_billed_durations')),
    sa.CheckConstraint('duration >= 0', name=op.f('ck_cdrs_duration')),
    sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_cdrs_country_id_countries')),
    sa.ForeignKeyConstraint(['customer_acc_id'], ['accounts.id'], name=op.f('fk_cdrs_customer_acc_id_accounts')),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_cdrs_network_id_networks')),
    sa.ForeignKeyConstraint(['vendor_acc_id'], ['accounts.id'], name=op.f('fk_cdrs_vendor_acc_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cdrs'))
    )
    with op.batch_alter_table('cdrs', schema=None) as batch_op:
        batch_op.create_index('ix_cdrs_customer_acc_time', ['customer_acc_id', 'time_start'], unique=False)
        batch_op.create_index('ix_cdrs_vendor_acc_time', ['vendor_acc_id', 'time_start'], unique=False)

    op.create_table('customer_user_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_customer_user_accounts_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['customer_users.id'], name=op.f('fk_customer_user_accounts_user_id_customer_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'account_id', name=op.f('pk_customer_user_accounts'))
    )
    op.create_table('discount_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prefixes', sa.String(length=500), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('free_minutes', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('percentage', 'free_minutes')", name=op.f('ck_discount_plans_kind')),
    sa.CheckConstraint('free_minutes IS NULL OR free_minutes > 0', name=op.f('ck_discount_plans_free_minutes')),
    sa.CheckConstraint('percent IS NULL OR (percent > 0 AND percent <= 100)', name=op.f('ck_discount_plans_percent')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_discount_plans_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discount_plans'))
    )
    with op.batch_alter_table('discount_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discount_plans_account_id'), ['account_id'], unique=False)

    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('invoice_number', sa.String(length=64), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('billing_run_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('invoice_type', sa.String(length=20), nullable=False),
    sa.Column('start_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('invoice_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('cutoff_date', sa.Date(), nullable=True),
    sa.Column('transaction_cutoff_date', sa.Date(), nullable=True),
    sa.Column('amount_spent', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('amount_earned', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('originated_amount_spent', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('originated_amount_earned', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('originated_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('originated_successful_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('originated_calls_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('originated_billing_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('originated_first_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('originated_last_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terminated_amount_spent', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('terminated_amount_earned', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('terminated_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('terminated_successful_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('terminated_calls_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('terminated_billing_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('terminated_first_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terminated_last_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('services_amount_spent', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('services_amount_earned', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('service_transactions_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('discount_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_calls', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_one_off', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_recurring', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_refunds', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_late', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_interest', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_carrier_provided', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_manual_billing', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_low_usage', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_manual', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('charges_non_call', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('vat_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('reverse_vat_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('total_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('paid_date', sa.Date(), nullable=True),
    sa.Column('outstanding', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('payment_method', sa.String(length=32), nullable=True),
    sa.Column('bill_style', sa.String(length=40), nullable=False),
    sa.Column('invoice_message', sa.String(length=100), nullable=True),
    sa.Column('usage_report_profile', sa.String(length=100), nullable=True),
    sa.Column('customer_reference', sa.String(length=100), nullable=True),
    sa.Column('purchase_order_number', sa.String(length=100), nullable=True),
    sa.Column('online_bill_type', sa.String(length=40), nullable=True),
    sa.Column('email_bill_type', sa.String(length=40), nullable=True),
    sa.Column('post_bill_type', sa.String(length=40), nullable=True),
    sa.Column('fax_bill_type', sa.String(length=40), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('printed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marked_delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('xero_id', sa.Uuid(), nullable=True),
    sa.Column('pdf_error', sa.Text(), nullable=True),
    sa.CheckConstraint("invoice_type IN ('Manual', 'Auto Full', 'Auto Partial')", name=op.f('ck_invoices_invoice_type')),
    sa.CheckConstraint("state IN ('New', 'Pending', 'Approved')", name=op.f('ck_invoices_state')),
    sa.CheckConstraint('amount_spent >= 0 AND amount_earned >= 0', name=op.f('ck_invoices_amounts_non_negative')),
    sa.CheckConstraint('end_date > start_date', name=op.f('ck_invoices_period_order')),
    sa.CheckConstraint('originated_calls_count >= 0 AND originated_successful_calls_count >= 0 AND originated_calls_duration >= 0 AND originated_billing_duration >= 0 AND terminated_calls_count >= 0 AND terminated_successful_calls_count >= 0 AND terminated_calls_duration >= 0 AND terminated_billing_duration >= 0 AND service_transactions_count >= 0', name=op.f('ck_invoices_counters_non_negative')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_invoices_paid_non_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_invoices_account_id_accounts')),
    sa.ForeignKeyConstraint(['billing_run_id'], ['billing_runs.id'], name=op.f('fk_invoices_billing_run_id_billing_runs')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_invoices_customer_id_customers')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoices_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('invoice_number', name=op.f('uq_invoices_invoice_number')),
    sa.UniqueConstraint('uuid', name=op.f('uq_invoices_uuid'))
    )
    if is_postgresql:
        op.execute(
            "ALTER TABLE invoices ADD CONSTRAINT ex_invoices_no_overlap "
            "EXCLUDE USING gist (account_id WITH =, tstzrange(start_date, end_date, '[)') WITH &&)"
        )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_account_period', ['account_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_billing_run_id'), ['billing_run_id'], unique=False)
        batch_op.create_index('ix_invoices_created_at', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_invoices_customer_invoice_date', ['customer_id', 'invoice_date', 'id'], unique=False)
        batch_op.create_index('ix_invoices_customer_start', ['customer_id', 'start_date', 'id'], unique=False)
        batch_op.create_index('ix_invoices_due_date', ['due_date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_reference'), ['reference'], unique=False)
        batch_op.create_index('ix_invoices_state_id', ['state', 'id'], unique=False)

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('initial_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('renew_price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('renew_period', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_services_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_account_id'), ['account_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('subject_type', sa.String(length=50), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_audit_events_invoice_id_invoices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('download_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('max_uses >= 1', name=op.f('ck_download_links_max_uses')),
    sa.CheckConstraint('uses >= 0 AND uses <= max_uses', name=op.f('ck_download_links_uses')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_download_links_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_download_links')),
    sa.UniqueConstraint('nonce', name=op.f('uq_download_links_nonce'))
    )
    with op.batch_alter_table('download_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_download_links_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('email_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('invoice', 'cdrs')", name=op.f('ck_email_deliveries_kind')),
    sa.CheckConstraint("status IN ('sent', 'failed', 'outbox')", name=op.f('ck_email_deliveries_status')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_email_deliveries_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_deliveries'))
    )
    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_deliveries_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoice_destinations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('dst_prefix', sa.String(length=32), nullable=True),
    sa.Column('discount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('rate', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('successful_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('calls_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('billing_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('first_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("direction IN ('originated', 'terminated')", name=op.f('ck_invoice_destinations_direction')),
    sa.CheckConstraint('calls_count >= 0 AND successful_calls_count >= 0 AND calls_duration >= 0 AND billing_duration >= 0', name=op.f('ck_invoice_destinations_counters')),
    sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_invoice_destinations_country_id_countries')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_destinations_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_invoice_destinations_network_id_networks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_destinations'))
    )
    with op.batch_alter_table('invoice_destinations', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_destinations_invoice', ['invoice_id', 'direction', 'dst_prefix'], unique=False)

    op.create_table('invoice_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('bill_style', sa.String(length=40), nullable=True),
    sa.Column('template', sa.String(length=100), nullable=True),
    sa.Column('render_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'cdrs', 'usage')", name=op.f('ck_invoice_documents_kind')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_documents_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_documents')),
    sa.UniqueConstraint('invoice_id', 'kind', name='uq_invoice_documents_invoice_kind')
    )
    op.create_table('invoice_networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('rate', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('successful_calls_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('calls_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('billing_duration', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('first_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_call_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("direction IN ('originated', 'terminated')", name=op.f('ck_invoice_networks_direction')),
    sa.CheckConstraint('calls_count >= 0 AND successful_calls_count >= 0 AND calls_duration >= 0 AND billing_duration >= 0', name=op.f('ck_invoice_networks_counters')),
    sa.ForeignKeyConstraint(['country_id'], ['countries.id'], name=op.f('fk_invoice_networks_country_id_countries')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_networks_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], name=op.f('fk_invoice_networks_network_id_networks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_networks'))
    )
    with op.batch_alter_table('invoice_networks', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_networks_invoice', ['invoice_id', 'direction'], unique=False)

    op.create_table('invoice_service_data',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('spent', sa.Boolean(), nullable=False),
    sa.Column('transactions_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.CheckConstraint('transactions_count >= 0 AND amount >= 0', name=op.f('ck_invoice_service_data_counters')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_service_data_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_invoice_service_data_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_service_data'))
    )
    with op.batch_alter_table('invoice_service_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_service_data_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payments_amount_positive')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_payments_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('transactions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("category IN ('one-off', 'recurring', 'refund', 'late fee', 'interest', 'carrier-provided', 'manual billing', 'low usage', 'manual')", name=op.f('ck_transactions_category')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_transactions_account_id_accounts')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_transactions_invoice_id_invoices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_transactions_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transactions'))
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_account_created', ['account_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_transactions_invoice_id'), ['invoice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transactions_invoice_id'))
        batch_op.drop_index('ix_transactions_account_created')

    op.drop_table('transactions')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))

    op.drop_table('payments')
    with op.batch_alter_table('invoice_service_data', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_service_data_invoice_id'))

    op.drop_table('invoice_service_data')
    with op.batch_alter_table('invoice_networks', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_networks_invoice')

    op.drop_table('invoice_networks')
    op.drop_table('invoice_documents')
    with op.batch_alter_table('invoice_destinations', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_destinations_invoice')

    op.drop_table('invoice_destinations')
    with op.batch_alter_table('email_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_deliveries_invoice_id'))

    op.drop_table('email_deliveries')
    with op.batch_alter_table('download_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_download_links_invoice_id'))

    op.drop_table('download_links')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_invoice_id'))
        batch_op.drop_index('ix_audit_events_created')

    op.drop_table('audit_events')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_account_id'))

    op.drop_table('services')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_state_id')
        batch_op.drop_index(batch_op.f('ix_invoices_reference'))
        batch_op.drop_index(batch_op.f('ix_invoices_organization_id'))
        batch_op.drop_index('ix_invoices_due_date')
        batch_op.drop_index('ix_invoices_customer_start')
        batch_op.drop_index('ix_invoices_customer_invoice_date')
        batch_op.drop_index('ix_invoices_created_at')
        batch_op.drop_index(batch_op.f('ix_invoices_billing_run_id'))
        batch_op.drop_index('ix_invoices_account_period')

    op.drop_table('invoices')
    with op.batch_alter_table('discount_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discount_plans_account_id'))

    op.drop_table('discount_plans')
    op.drop_table('customer_user_accounts')
    with op.batch_alter_table('cdrs', schema=None) as batch_op:
        batch_op.drop_index('ix_cdrs_vendor_acc_time')
        batch_op.drop_index('ix_cdrs_customer_acc_time')

    op.drop_table('cdrs')
    op.drop_table('account_invoice_contacts')
    with op.batch_alter_table('customer_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_users_customer_id'))

    op.drop_table('customer_users')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_prefix'))
        batch_op.drop_index(batch_op.f('ix_api_keys_customer_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_next_invoice_at'))
        batch_op.drop_index(batch_op.f('ix_accounts_customer_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_networks_country_id'))

    op.drop_table('networks')
    op.drop_table('invoice_number_counters')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_organization_id'))

    op.drop_table('customers')
    op.drop_table('usage_report_profiles')
    op.drop_table('organizations')
    op.drop_table('message_templates')
    op.drop_table('countries')
    op.drop_table('billing_runs')
    op.drop_table('bill_styles')
    op.drop_table('attachments')
    op.drop_table('admin_users')
