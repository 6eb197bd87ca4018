/** The part of an order resource that consent governs. */
interface WithPatient {
  allow_access_data: boolean;
  patient_account: { date_of_birth: string | null; gender: string | null } | null;
}

/**
 * An order as its doctor may see it: the patient's name (and picture) always, their date of
 * birth and gender only when they consented at booking (`allow_access_data`); otherwise null,
 * as the schema allows for a profile that lacks them.
 */
export function doctorView<T extends WithPatient>(order: T): T {
  if (order.allow_access_data || order.patient_account === null) return order;
  return { ...order, patient_account: { ...order.patient_account, date_of_birth: null, gender: null } };
}
