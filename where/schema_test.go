package where

// itemSchema is the item table of a collection with the user fields the
// tests use: the standard fields of a mosaic dataset, then user fields,
// some named like keywords.
func itemSchema() Schema {
	return Schema{
		{"OBJECTID", Integer},
		{"Name", Text},
		{"Raster", Text},
		{"MinPS", Real},
		{"MaxPS", Real},
		{"Category", Integer},
		{"Tag", Text},
		{"GroupName", Text},
		{"ProductName", Text},
		{"ZOrder", Integer},
		{"Width", Integer},
		{"Height", Integer},
		{"AcquisitionDate", Date},
		{"CloudCover", Real},
		{"SensorName", Text},
		{"Date", Date},
		{"Year", Integer},
		{"Select", Text},
		{"Sun Elevation", Real},
		{`Odd"Name`, Text},
		{"Größe", Integer},
	}
}
